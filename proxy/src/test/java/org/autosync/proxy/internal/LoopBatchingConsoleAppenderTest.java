package org.autosync.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.channel.DefaultEventLoop;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopBatchingConsoleAppenderTest {
    /** Every write call as it reached "stdout". */
    static final class Recording extends OutputStream {
        final List<String> writes = Collections.synchronizedList(new ArrayList<>());
        volatile boolean closed;

        @Override
        public void write(int b) {
            writes.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final Recording out = new Recording();
    private final LoggerContext context = new LoggerContext();
    private final LoopBatchingConsoleAppender<ILoggingEvent> appender = new LoopBatchingConsoleAppender<>();
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private Logger logger;

    @BeforeEach
    void setUp() {
        context.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setTarget(out);
        appender.start();
        logger = context.getLogger("access");
        logger.setAdditive(false);
        logger.addAppender(appender);
        assertTrue(appender.isStarted(), context.getStatusManager().getCopyOfStatusList().toString());
    }

    @AfterEach
    void tearDown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        context.stop();
    }

    @Test
    void linesLoggedInOneLoopTurnLeaveInOneWriteAfterTheTurn() throws Exception {
        int duringTurn = loop.submit(() -> {
            for (int i = 0; i < 50; i++) {
                logger.info("line-" + i);
            }
            return out.writes.size();
        }).get(5, TimeUnit.SECONDS);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS); // runs after the flush the turn queued

        assertEquals(0, duringTurn, "nothing is written while the loop is busy");
        assertEquals(1, out.writes.size(), out.writes.toString());
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expected.append("line-").append(i).append('\n');
        }
        assertEquals(expected.toString(), out.writes.get(0));
    }

    @Test
    void aBusyTurnWritesWholeLinesInPipeAtomicPieces() throws Exception {
        String line = "x".repeat(99); // 100 bytes with its newline
        loop.submit(() -> {
            for (int i = 0; i < 1000; i++) {
                logger.info(line);
            }
        }).get(5, TimeUnit.SECONDS);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);

        assertEquals(100_000, out.writes.stream().mapToInt(String::length).sum(), "every line is written");
        for (String w : out.writes) {
            assertTrue(w.length() <= LoopBatchingConsoleAppender.BUFFER, "a write of " + w.length() + " bytes");
            assertTrue(w.endsWith("\n") && w.length() % 100 == 0, "a write of whole lines only");
        }
        assertTrue(out.writes.size() < 100, "batched: " + out.writes.size() + " writes for 1000 lines");
    }

    @Test
    void aLineLoggedOffTheEventLoopsIsWrittenAtOnce() {
        logger.info("from main");
        assertEquals(List.of("from main\n"), out.writes);
    }

    @Test
    void stoppingFlushesAndLeavesStdoutOpen() throws Exception {
        loop.submit(() -> logger.info("last words")).get(5, TimeUnit.SECONDS);
        loop.submit(() -> appender.stop()).get(5, TimeUnit.SECONDS);
        assertEquals("last words\n", String.join("", out.writes));
        assertFalse(out.closed, "stdout is shared with the other appenders");
    }
}
