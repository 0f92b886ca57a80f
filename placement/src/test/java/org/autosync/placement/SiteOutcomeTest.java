package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.autosync.placement.SiteOutcome.Kind;
import org.junit.jupiter.api.Test;

class SiteOutcomeTest {

    private static final Duration MS = Duration.ofMillis(12);

    @Test
    void httpPicksKindFromStatus() {
        assertEquals(Kind.OK, SiteOutcome.http("a", 201, MS).kind());
        assertEquals(Kind.OK, SiteOutcome.http("a", 204, MS).kind());
        assertEquals(Kind.HTTP_ERROR, SiteOutcome.http("a", 199, MS).kind());
        assertEquals(Kind.HTTP_ERROR, SiteOutcome.http("a", 300, MS).kind());
        assertEquals(Kind.HTTP_ERROR, SiteOutcome.http("a", 404, MS).kind());
        assertEquals(Kind.HTTP_ERROR, SiteOutcome.http("a", 503, MS).kind());
    }

    @Test
    void succeededOnlyForOk() {
        assertTrue(SiteOutcome.ok("a", 202, MS).succeeded());
        assertFalse(SiteOutcome.http("a", 500, MS).succeeded());
        assertFalse(SiteOutcome.timeout("a", MS).succeeded());
        assertFalse(SiteOutcome.connectRefused("a", MS).succeeded());
        assertFalse(SiteOutcome.authFailed("a", MS).succeeded());
        assertFalse(SiteOutcome.error("a", "boom", MS).succeeded());
    }

    @Test
    void labels() {
        assertEquals("201", SiteOutcome.ok("a", 201, MS).label());
        assertEquals("503", SiteOutcome.http("a", 503, MS).label());
        assertEquals("timeout", SiteOutcome.timeout("a", MS).label());
        assertEquals("connect-refused", SiteOutcome.connectRefused("a", MS).label());
        assertEquals("auth-failed", SiteOutcome.authFailed("a", MS).label());
        assertEquals("error", SiteOutcome.error("a", "boom", MS).label());
    }

    @Test
    void errorKeepsShortSingleLineDetail() {
        assertEquals("TLS handshake failed", SiteOutcome.error("a", "TLS handshake failed", MS).detail());
        String injected = SiteOutcome.error("a", "bad\r\nx-injected: 1", MS).detail();
        assertFalse(injected.contains("\r") || injected.contains("\n"), injected);
        assertTrue(injected.startsWith("bad") && injected.endsWith("x-injected: 1"), injected);
        assertEquals(SiteOutcome.MAX_DETAIL, SiteOutcome.error("a", "x".repeat(1000), MS).detail().length());
        assertEquals("", SiteOutcome.error("a", null, MS).detail());
        assertEquals("", SiteOutcome.timeout("a", MS).detail());
    }

    @Test
    void nonHttpKindsHaveNoStatus() {
        assertEquals(0, SiteOutcome.timeout("a", MS).status());
        assertEquals(MS, SiteOutcome.timeout("a", MS).latency());
    }

    @Test
    void rejectsInconsistentInput() {
        assertThrows(IllegalArgumentException.class, () -> SiteOutcome.ok("a", 500, MS));
        assertThrows(IllegalArgumentException.class, () -> SiteOutcome.http("a", 42, MS));
        assertThrows(IllegalArgumentException.class, () -> new SiteOutcome("a", Kind.HTTP_ERROR, 200, "", MS));
        assertThrows(IllegalArgumentException.class, () -> new SiteOutcome("a", Kind.TIMEOUT, 504, "", MS));
        assertThrows(IllegalArgumentException.class, () -> SiteOutcome.ok("a", 200, Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> SiteOutcome.ok(null, 200, MS));
        assertThrows(NullPointerException.class, () -> SiteOutcome.ok("a", 200, null));
    }
}
