package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.TreeMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rolling a new peer secret out one site at a time, with no request refused on the way. */
class PeerSecretsRotationTest {
    private static final byte[] OLD = "the-old-peer-secret-0123".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = "the-new-peer-secret-4567".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    private static boolean accepted(byte[] signedWith, PeerSecrets receiver) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("X-Container-Meta-Color", "blue");
        h.putAll(new PeerSigner("a", signedWith, CLOCK).sign("b", "PUT", "/v1/AUTH_test/c", Map.of(
                "X-Container-Meta-Color", "blue")));
        PeerVerifier v = new PeerVerifier("b", Set.of("a"), receiver.forVerifying(), Duration.ofSeconds(60), CLOCK,
                new NonceCache());
        return v.verify("PUT", "/v1/AUTH_test/c", h::get).isVerified();
    }

    @Test
    void everyStepOfARolloutAcceptsWhatTheOtherSitesSign() {
        // step 0: all sites on OLD. step 1: some sites accept NEW too, still signing OLD.
        PeerSecrets step1 = new PeerSecrets(OLD, NEW);
        assertTrue(accepted(OLD, step1));
        // step 2: some sites sign NEW (OLD as previous); step-1 sites must accept them, and vice versa
        PeerSecrets step2 = new PeerSecrets(NEW, OLD);
        assertTrue(accepted(NEW, step1));
        assertTrue(accepted(OLD, step2));
        assertTrue(accepted(NEW, step2));
        // step 3: previous dropped: OLD no longer opens anything
        PeerSecrets step3 = new PeerSecrets(NEW, null);
        assertTrue(accepted(NEW, step3));
        assertFalse(accepted(OLD, step3));
    }

    @Test
    void signingAlwaysUsesCurrent() {
        assertEquals(new String(NEW, StandardCharsets.UTF_8),
                new String(new PeerSecrets(NEW, OLD).current(), StandardCharsets.UTF_8));
        assertEquals(2, new PeerSecrets(NEW, OLD).forVerifying().size());
        assertEquals(1, new PeerSecrets(NEW, NEW).forVerifying().size());
    }

    @Test
    void shortSecretsAndToStringNeverShowTheSecret() {
        assertThrows(IllegalArgumentException.class, () -> new PeerSecrets("short".getBytes(StandardCharsets.UTF_8),
                null));
        assertThrows(IllegalArgumentException.class, () -> new PeerSecrets(NEW, "x".getBytes(StandardCharsets.UTF_8)));
        String s = new PeerSecrets(NEW, OLD).toString();
        assertFalse(s.contains("peer-secret"), s);
    }
}
