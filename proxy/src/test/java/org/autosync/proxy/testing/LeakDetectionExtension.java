package org.autosync.proxy.testing;

import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails the test during which Netty reports a leaked buffer. Registered for every test class
 * (service loader + autodetection), with paranoid detection set by surefire's argLine.
 *
 * <p>Netty reports leaks through its logger; a Logback appender collects those reports, so the
 * check works no matter when Netty's buffer classes were first loaded.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback {
    private static final List<String> leaks = new ArrayList<>();

    static {
        Logger nettyLeaks = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getFormattedMessage().contains("LEAK")) {
                    synchronized (leaks) {
                        leaks.add(e.getFormattedMessage());
                    }
                }
            }
        };
        appender.setName("leak-collector");
        appender.setContext(nettyLeaks.getLoggerContext());
        appender.start();
        nettyLeaks.addAppender(appender);
        nettyLeaks.setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> found = collect();
        if (!found.isEmpty()) {
            fail("Netty reported " + found.size() + " leaked buffer(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", found));
        }
    }

    /** Leak reports appear when a collected, unreleased buffer is noticed at a later allocation. */
    public static List<String> collect() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(25);
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
            a.release();
            b.release();
        }
        synchronized (leaks) {
            List<String> copy = new ArrayList<>(leaks);
            leaks.clear();
            return copy;
        }
    }
}
