package org.autosync.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogEveryTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogEvery every = new LogEvery(Duration.ofSeconds(10), now::get);

    @Test
    void theFirstIsLoggedThoseWithinThePeriodAreCountedAndReportedWithTheNext() {
        assertEquals(0, every.admit());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(-1, every.admit());
        assertEquals(-1, every.admit());
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(2, every.admit(), "two left out since the last line");
        assertEquals(-1, every.admit());
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(1, every.admit());
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(0, every.admit());
    }
}
