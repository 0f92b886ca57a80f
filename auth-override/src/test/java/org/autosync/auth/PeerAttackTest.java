package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile client against the verifier of site b: requests captured from peer a (signed with
 * the real secret) and then altered, forged ones, stale and replayed ones. Complements
 * {@link PeerSignVerifyTest}, which checks the format field by field; here each case is an attack
 * on the fan-out's own requests (container PUT/POST/DELETE/HEAD with sync and metadata headers).
 */
class PeerAttackTest {

    private static final byte[] SECRET = "attack-test-peer-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final String X = "/v1/AUTH_test/x";
    private static final String Y = "/v1/AUTH_test/y";

    private MutableClock clock;
    private NonceCache nonces;
    private PeerVerifier atB;
    private final AtomicInteger nonceCounter = new AtomicInteger();

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2024-06-01T08:00:00Z"));
        nonces = new NonceCache(SKEW, 10_000, clock::nanos);
        atB = new PeerVerifier("b", Set.of("a", "c"), List.of(SECRET), SKEW, clock, nonces);
    }

    private PeerSigner signer(String site) {
        return new PeerSigner(site, SECRET, clock, () -> String.format("attack-nonce-%08d", nonceCounter.incrementAndGet()));
    }

    /** A request on the wire: method, path with query, every header (case-insensitive). */
    private record Wire(String method, String path, Map<String, String> headers) {
        Wire {
            Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            h.putAll(headers);
            headers = h;
        }

        Wire method(String m) {
            return new Wire(m, path, headers);
        }

        Wire path(String p) {
            return new Wire(method, p, headers);
        }

        Wire set(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.remove(name);
            if (value != null) {
                h.put(name, value);
            }
            return new Wire(method, path, h);
        }

        Function<String, String> lookup() {
            return headers::get;
        }
    }

    /** What peer a sends for a container PUT/POST in a placement [a, b]: sync headers and metadata. */
    private static Map<String, String> fanOutHeaders(String path) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Container-Meta-Color", "blue");
        h.put("X-Container-Sync-To", "//lab/a" + path.substring("/v1".length()));
        h.put("X-Container-Sync-Key", "5f0c0ffee5f0c0ffee5f0c0ffee5f0c0ffee5f0c0ffee5f0c0ffee5f0c0ffee0");
        h.put("X-Autosync-Consistency", "all");
        h.put("X-Container-Read", ".r:example.org");
        return h;
    }

    private Wire captured(String site, String method, String path, Map<String, String> covered) {
        Map<String, String> all = new LinkedHashMap<>(covered);
        all.putAll(signer(site).sign("b", method, path, covered));
        return new Wire(method, path, all);
    }

    private Wire captured(String method, String path) {
        return captured("a", method, path, method.equals("PUT") || method.equals("POST") ? fanOutHeaders(path) : Map.of());
    }

    private Verdict verify(Wire w) {
        return atB.verify(w.method(), w.path(), w.lookup());
    }

    private void assertRefused(String reason, Wire w) {
        Verdict v = verify(w);
        assertEquals(Verdict.Kind.REJECTED, v.kind(), () -> w.method() + " " + w.path() + " was accepted");
        assertEquals(reason, v.reason());
    }

    private static void assertRefused(String reason, Verdict v) {
        assertEquals(Verdict.Kind.REJECTED, v.kind(), "accepted");
        assertEquals(reason, v.reason());
    }

    /** An attack that failed must not have used up the genuine request's nonce. */
    private void assertGenuineStillAccepted(Wire genuine) {
        assertTrue(verify(genuine).isVerified(), "the genuine request must still verify");
    }

    @Test
    void genuineFanOutRequestVerifies() {
        // the baseline every attack below is a variation of; fails if the fixture itself is wrong
        for (String m : List.of("PUT", "POST", "DELETE", "HEAD")) {
            assertEquals("a", verify(captured(m, X)).site(), m);
        }
    }

    // ------------------------------------------------------------------ method

    @ParameterizedTest
    @CsvSource({"HEAD, DELETE", "HEAD, PUT", "HEAD, POST", "PUT, DELETE", "POST, PUT", "DELETE, PUT", "PUT, GET",
            "HEAD, GET"})
    void signatureForOneMethodNeverServesAnother(String signedFor, String usedFor) {
        Wire genuine = captured(signedFor, X);
        assertRefused("bad signature", genuine.method(usedFor));
        assertGenuineStillAccepted(genuine);
    }

    // ------------------------------------------------------------------ path and query

    @ParameterizedTest
    @ValueSource(strings = {
            Y,                                  // another container
            "/v1/AUTH_test/x2",                 // a longer name
            "/v1/AUTH_test/X",                  // case
            "/v1/AUTH_test/x/",                 // trailing slash
            "/v1/AUTH_test//x",                 // double slash
            "/v1/AUTH_test/%78",                // the same name percent-encoded
            "/v1/AUTH_test/x/o",                // an object inside it
            "/v1/AUTH_test/x%2Fo",              // the same, %2F
            "/v1/AUTH_test",                    // the account
            "/v1/AUTH_other/x",                 // the same container in another account
            "/v1.0/AUTH_test/x",                // the other API prefix
            "/v1/AUTH_test/x?",                 // an empty query
            "/v1/AUTH_test/x?extract-archive=tar",
            "/v1/AUTH_test/x?multipart-manifest=delete",
    })
    void signatureForContainerXNeverServesAnotherTarget(String target) {
        for (String m : List.of("PUT", "POST", "DELETE", "HEAD")) {
            Wire genuine = captured(m, X);
            assertRefused("bad signature", genuine.path(target));
            assertGenuineStillAccepted(genuine);
        }
    }

    @Test
    void queryIsCoveredWhetherAddedRemovedReorderedOrReEncoded() {
        String signed = "/v1/AUTH_test/x?format=json&prefix=a%2Fb";
        for (String used : List.of("/v1/AUTH_test/x", "/v1/AUTH_test/x?prefix=a%2Fb&format=json",
                "/v1/AUTH_test/x?format=json&prefix=a/b", "/v1/AUTH_test/x?format=json&prefix=a%2fb",
                "/v1/AUTH_test/x?format=json&prefix=a%2Fb&", "/v1/AUTH_test/x?format=json&prefix=a%2Fb&bulk-delete")) {
            Wire genuine = captured("a", "POST", signed, fanOutHeaders(X));
            assertRefused("bad signature", genuine.path(used));
            assertGenuineStillAccepted(genuine);
        }
    }

    // ------------------------------------------------------------------ headers that change meaning

    @ParameterizedTest
    @CsvSource({
            "X-Container-Sync-To, //lab/b/AUTH_test/x",
            "X-Container-Sync-To, //lab/a/AUTH_test/y",
            "X-Container-Sync-To, ''",
            "X-Container-Sync-Key, 0000",
            "X-Autosync-Consistency, local",
            "X-Container-Meta-Color, red",
            "X-Container-Meta-Color, 'blue '",          // surrounding whitespace is not meaning, see below
            "X-Container-Read, .r:*",
    })
    void everyFanOutHeaderIsCovered(String name, String value) {
        for (String m : List.of("PUT", "POST")) {
            Wire genuine = captured(m, X);
            Wire tampered = genuine.set(name, value);
            if (value.strip().equals(genuine.headers().get(name))) {
                // trimmed values are signed: only whitespace changed, which HTTP itself ignores
                assertTrue(verify(tampered).isVerified());
                continue;
            }
            assertRefused("bad signature", tampered);
            assertGenuineStillAccepted(genuine);
        }
    }

    @Test
    void removingASignedHeaderIsCaught() {
        for (String name : fanOutHeaders(X).keySet()) {
            Wire genuine = captured("POST", X);
            assertRefused("bad signature", genuine.set(name, null));
            assertGenuineStillAccepted(genuine);
        }
    }

    @Test
    void editingTheSignedHeaderListIsCaught() {
        List<String> names = new ArrayList<>();
        fanOutHeaders(X).keySet().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        List<String> variants = new ArrayList<>();
        variants.add(String.join(",", names.subList(1, names.size())));            // drop the first
        variants.add(String.join(",", names.subList(0, names.size() - 1)));        // drop the last
        List<String> reversed = new ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        variants.add(String.join(",", reversed));                                  // reorder
        variants.add(String.join(",", names) + ",x-container-write");              // add an absent one
        variants.add("");                                                          // claim none
        for (String v : variants) {
            Wire genuine = captured("PUT", X);
            assertRefused("bad signature", genuine.set(PeerHeaders.SIGNED_HEADERS, v));
            assertGenuineStillAccepted(genuine);
        }
    }

    @Test
    void movingAValueBetweenSignedHeadersIsCaught() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Container-Meta-A", "1");
        h.put("X-Container-Meta-B", "2");
        Wire genuine = captured("a", "POST", X, h);
        assertRefused("bad signature", genuine.set("X-Container-Meta-A", "2").set("X-Container-Meta-B", "1"));
        assertRefused("bad signature", genuine.set("X-Container-Meta-A", "1,2").set("X-Container-Meta-B", ""));
        assertGenuineStillAccepted(genuine);
    }

    @Test
    void lineBreakInASignedValueCannotForgeACanonicalLine() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Container-Meta-A", "1");
        Wire genuine = captured("a", "POST", X, h);
        assertRefused("malformed " + PeerHeaders.SIGNED_HEADERS + " or signed value",
                genuine.set("X-Container-Meta-A", "1\nx-container-read:.r:*"));
        assertGenuineStillAccepted(genuine);
    }

    // ------------------------------------------------------------------ who signed it

    @ParameterizedTest
    @ValueSource(strings = {"b", "zz", "A", "a,c", "a\u00a0"})
    void claimedOriginMustBeAKnownPeer(String claimed) {
        Wire genuine = captured("POST", X);
        Verdict v = verify(genuine.set(PeerHeaders.SITE, claimed));
        assertTrue(v.isRejected(), claimed);
        assertTrue(v.reason().startsWith("unknown peer site"), v.reason());
        assertGenuineStillAccepted(genuine);
    }

    @Test
    void knownButWrongOriginIsCaught() {
        // c is a peer of b too, but a signed it: c cannot take the credit, nor a c's
        Wire genuine = captured("POST", X);
        assertRefused("bad signature", genuine.set(PeerHeaders.SITE, "c"));
        assertGenuineStillAccepted(genuine);
    }

    @Test
    void ownSiteCannotBeClaimed() {
        // b signing "for itself" with the shared secret, e.g. a request reflected back at b
        assertRefused("unknown peer site 'b'", verify(captured("b", "DELETE", X, Map.of())));
    }

    @Test
    void anotherSecretIsRefusedForEveryMethod() {
        PeerSigner wrong = new PeerSigner("a", "attack-test-peer-secret-012345678X".getBytes(StandardCharsets.UTF_8),
                clock, () -> "wrong-secret-nonce-" + nonceCounter.incrementAndGet());
        for (String m : List.of("PUT", "POST", "DELETE", "HEAD")) {
            Map<String, String> covered = m.equals("PUT") || m.equals("POST") ? fanOutHeaders(X) : Map.of();
            Map<String, String> all = new LinkedHashMap<>(covered);
            all.putAll(wrong.sign("b", m, X, covered));
            assertRefused("bad signature", new Wire(m, X, all));
        }
        assertEquals(0, nonces.estimatedSize(), "refused requests must not fill the nonce cache");
    }

    // ------------------------------------------------------------------ time

    @Test
    void staleJustPastTheWindowEitherWay() {
        Wire old = captured("DELETE", X);
        clock.advance(SKEW.plusSeconds(1));
        assertRefused("stale timestamp", verify(old));
        Wire future = captured("DELETE", X);
        clock.advance(SKEW.plusSeconds(1).multipliedBy(2).negated());
        assertRefused("stale timestamp", verify(future));
    }

    @ParameterizedTest
    @ValueSource(longs = {-86_400 * 365L, -86_400, -600, 600, 86_400, 86_400 * 365L})
    void farFromNowIsStale(long offsetSeconds) {
        Wire w = captured("DELETE", X);
        clock.advance(Duration.ofSeconds(-offsetSeconds));
        assertRefused("stale timestamp", verify(w));
    }

    @Test
    void reStampingACapturedRequestBreaksItsSignature() {
        Wire genuine = captured("PUT", X);
        clock.advance(Duration.ofMinutes(10));
        String now = Long.toString(clock.instant().getEpochSecond());
        assertRefused("bad signature", genuine.set(PeerHeaders.TIMESTAMP, now));
        // and the original is stale by now
        assertRefused("stale timestamp", verify(genuine));
    }

    @Test
    void equivalentTimestampSpellingsDoNotVerify() {
        Wire genuine = captured("PUT", X);
        String ts = genuine.headers().get(PeerHeaders.TIMESTAMP);
        assertRefused("bad signature", genuine.set(PeerHeaders.TIMESTAMP, "0" + ts));
        assertRefused("malformed timestamp", genuine.set(PeerHeaders.TIMESTAMP, "+" + ts));
        assertRefused("malformed timestamp", genuine.set(PeerHeaders.TIMESTAMP, ts + ".0"));
        assertGenuineStillAccepted(genuine);
    }

    // ------------------------------------------------------------------ replay

    @Test
    void replayInsideTheWindowIsRefusedAtEveryPointOfIt() {
        for (long afterSeconds : new long[] {0, 1, 30, 59, 60}) {
            Wire genuine = captured("DELETE", X);
            assertTrue(verify(genuine).isVerified());
            clock.advance(Duration.ofSeconds(afterSeconds));
            assertRefused("replayed nonce", verify(genuine));
        }
    }

    @Test
    void replayOfARequestStampedInTheFutureIsRefusedUntilItIsStale() {
        // signed by a clock 60 s ahead: acceptable from now until now + 120 s
        clock.advance(SKEW);
        Wire ahead = captured("DELETE", X);
        clock.advance(SKEW.negated());
        assertTrue(verify(ahead).isVerified());
        // the timestamp check accepts it up to and including first-seen + 2 * skew (whole seconds),
        // so the nonce must be remembered at least that long
        for (long t = 0; t <= 2 * SKEW.getSeconds(); t += 10) {
            Verdict v = verify(ahead);
            long at = t;
            assertEquals("replayed nonce", v.reason(), () -> "a replay " + at + " s after the request was first"
                    + " seen (stamped " + SKEW.getSeconds() + " s ahead, nonce retention " + nonces.retention()
                    + ") was " + v.kind());
            clock.advance(Duration.ofSeconds(10));
        }
        assertRefused("stale timestamp", verify(ahead));
    }

    @Test
    void replayAfterTheNonceIsForgottenIsStale() {
        Wire genuine = captured("DELETE", X);
        assertTrue(verify(genuine).isVerified());
        clock.advance(SKEW.multipliedBy(2).plusSeconds(1));
        assertEquals(0, nonces.estimatedSize(), "the nonce has expired from the cache");
        assertRefused("stale timestamp", verify(genuine));
    }

    @Test
    void cosmeticVariantsOfAReplayAreStillReplays() {
        Wire genuine = captured("POST", X);
        assertTrue(verify(genuine).isVerified());
        String sig = genuine.headers().get(PeerHeaders.SIGNATURE);
        String nonce = genuine.headers().get(PeerHeaders.NONCE);
        assertRefused("replayed nonce", verify(genuine.set(PeerHeaders.SIGNATURE, sig.toUpperCase(Locale.ROOT))));
        assertRefused("replayed nonce", verify(genuine.set(PeerHeaders.SIGNATURE, " " + sig + " ")));
        assertRefused("replayed nonce", verify(genuine.set(PeerHeaders.NONCE, " " + nonce + "\t")));
        assertRefused("replayed nonce", verify(genuine.method("post")));
        assertRefused("replayed nonce", verify(genuine.set("X-Container-Meta-Color", "  blue ")));
        // changing the nonce to dodge the cache breaks the signature
        assertRefused("bad signature", verify(genuine.set(PeerHeaders.NONCE, nonce + "x")));
        assertRefused("bad signature", verify(genuine.set(PeerHeaders.NONCE, nonce.toUpperCase(Locale.ROOT))));
    }

    @Test
    void replayIsRefusedWhateverTheAttackerStripsOrAdds() {
        Wire genuine = captured("PUT", X);
        assertTrue(verify(genuine).isVerified());
        assertRefused("replayed nonce", verify(genuine.set("X-Some-Other-Header", "1")));
        assertFalse(verify(genuine.set("X-Container-Meta-Color", "red")).isVerified());
    }

    @Test
    void aFloodOfForgeriesCarryingACapturedNonceDoesNotLockOutTheGenuineRequest() {
        Wire genuine = captured("PUT", X);
        for (int i = 0; i < 100; i++) {
            assertRefused("bad signature", verify(genuine.set("X-Container-Meta-Color", "red" + i)));
        }
        assertEquals(0, nonces.estimatedSize());
        assertGenuineStillAccepted(genuine);
    }
}
