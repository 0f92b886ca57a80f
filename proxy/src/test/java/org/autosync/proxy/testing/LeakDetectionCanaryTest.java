package org.autosync.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the leak check can fail: a buffer leaked on purpose must show up in what
 * {@link LeakDetectionExtension#collect()} returns. The report is consumed here, so the
 * extension's own after-each check stays green.
 */
class LeakDetectionCanaryTest {

    @Test
    void aDeliberatelyLeakedBufferIsReported() throws InterruptedException {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "every test runs with paranoid leak detection");
        LeakDetectionExtension.collect(); // start from a clean slate

        leakOneBuffer();

        List<String> reports = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && reports.stream().noneMatch(r -> r.contains("LEAK")); attempt++) {
            reports.addAll(LeakDetectionExtension.collect());
        }
        assertTrue(reports.stream().anyMatch(r -> r.contains("LEAK")), "no LEAK report: " + reports);
        assertTrue(reports.stream().anyMatch(r -> r.contains("leakOneBuffer")),
                "the report points at the allocation site: " + reports);
    }

    /** Allocates, uses and drops a pooled buffer without releasing it; nothing keeps a reference. */
    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(0xC0FFEEL);
        leaked.readLong();
    }
}
