package org.autosync.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessLineEncoderTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-21T14:10:12.601Z | 127.0.0.1 \"GET /v1/AUTH_test/c/o\" 200 in=0 out=10 52.491ms upstream=200",
        "2026-11-21T14:10:12.007Z | 127.0.0.1 \"GET /v1/AUTH_test/c/o\" 200 in=0 out=10 0.002ms upstream=200",
        "2026-11-21T14:10:13.000Z | 10.0.0.1 \"PUT /v1/AUTH_test/c/o\" 201 in=4 out=0 3.343ms upstream=201",
        "1999-12-31T23:59:59.999Z | ::1 \"GET /v1/AUTH_t/caf\u00e9/\u00fcml\u00e4ut \u2603\" 404 in=0 out=0 1.000ms upstream=-",
        "2026-03-29T01:00:00.500Z | x",
    })
    void writesWhatThePatternLayoutWouldHaveWritten(String time, String message) {
        LoggerContext context = new LoggerContext();
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} ACCESS %msg%n");
        pattern.start();
        AccessLineEncoder encoder = new AccessLineEncoder();
        encoder.setContext(context);
        encoder.start();

        LoggingEvent event = new LoggingEvent();
        event.setLoggerContext(context);
        event.setLevel(Level.INFO);
        event.setMessage(message);
        event.setInstant(Instant.parse(time));
        // twice: the second time from the cached second
        for (int i = 0; i < 2; i++) {
            assertEquals(new String(pattern.encode(event), StandardCharsets.UTF_8),
                    new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
    }
}
