package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerSignVerifyTest {

    private static final byte[] SECRET = "current-peer-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OLD_SECRET = "previous-peer-secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final String PATH = "/v1/AUTH_test/photos?format=json&x=%2F";

    private MutableClock clock;
    private NonceCache nonces;
    private PeerVerifier verifier;
    private AtomicInteger nonceCounter;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
        nonces = new NonceCache(SKEW, 1000, clock::nanos);
        verifier = new PeerVerifier("x", Set.of("a", "b"), List.of(SECRET, OLD_SECRET), SKEW, clock, nonces);
        nonceCounter = new AtomicInteger();
    }

    private PeerSigner signer(String site, byte[] secret) {
        return new PeerSigner(site, secret, clock,
                () -> String.format("nonce-%016d", nonceCounter.incrementAndGet()));
    }

    private static Map<String, String> covered() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Container-Read", " .r:*  ");
        h.put("Content-Type", "text/plain");
        return h;
    }

    /** The request as the receiver sees it: case-insensitive lookup over covered + peer headers. */
    private static Function<String, String> request(Map<String, String> covered, Map<String, String> peer) {
        Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        all.putAll(covered);
        all.putAll(peer);
        return all::get;
    }

    private Map<String, String> sign() {
        return signer("a", SECRET).sign("x", "PUT", PATH, covered());
    }

    @Test
    void roundTrip() {
        Map<String, String> peer = sign();
        Verdict v = verifier.verify("PUT", PATH, request(covered(), peer));
        assertEquals(Verdict.Kind.VERIFIED, v.kind());
        assertEquals("a", v.site());
        assertNull(v.reason());
        assertTrue(v.isVerified());
    }

    @Test
    void signProducesTheFiveHeadersInOrder() {
        Map<String, String> peer = sign();
        assertEquals(PeerHeaders.ALL, List.copyOf(peer.keySet()));
        assertEquals("a", peer.get(PeerHeaders.SITE));
        assertEquals(Long.toString(clock.instant().getEpochSecond()), peer.get(PeerHeaders.TIMESTAMP));
        assertEquals("nonce-0000000000000001", peer.get(PeerHeaders.NONCE));
        assertEquals("x-container-read,content-type", peer.get(PeerHeaders.SIGNED_HEADERS));
        assertTrue(peer.get(PeerHeaders.SIGNATURE).matches("[0-9a-f]{64}"));
    }

    @Test
    void signatureMatchesDocumentedCanonicalString() throws Exception {
        Map<String, String> peer = sign();
        String canonical = "PUT\n" + PATH + "\n" + peer.get(PeerHeaders.TIMESTAMP) + "\n"
                + peer.get(PeerHeaders.NONCE) + "\na\nx\nx-container-read:.r:*\ncontent-type:text/plain";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, peer.get(PeerHeaders.SIGNATURE));
    }

    @Test
    void methodAndHeaderNameCaseDoNotMatter() {
        Map<String, String> peer = signer("a", SECRET).sign("x", "put", PATH, covered());
        Map<String, String> lowerNames = new LinkedHashMap<>();
        lowerNames.put("x-container-read", ".r:*");
        lowerNames.put("CONTENT-TYPE", "text/plain");
        assertTrue(verifier.verify("PUT", PATH, request(lowerNames, peer)).isVerified());
    }

    @Test
    void randomNoncesAreUrlSafe128Bit() {
        PeerSigner real = new PeerSigner("a", SECRET, clock);
        String n1 = real.sign("x", "GET", "/", Map.of()).get(PeerHeaders.NONCE);
        String n2 = real.sign("x", "GET", "/", Map.of()).get(PeerHeaders.NONCE);
        assertTrue(n1.matches("[A-Za-z0-9_-]{22}"), n1);
        assertFalse(n1.equals(n2));
        assertTrue(verifier.verify("GET", "/", request(Map.of(), real.sign("x", "GET", "/", Map.of()))).isVerified());
    }

    @Test
    void noCoveredHeaders() {
        Map<String, String> peer = signer("b", SECRET).sign("x", "DELETE", "/v1/AUTH_x/c", Map.of());
        assertEquals("", peer.get(PeerHeaders.SIGNED_HEADERS));
        assertEquals("b", verifier.verify("DELETE", "/v1/AUTH_x/c", request(Map.of(), peer)).site());
    }

    // --- tampering ---

    private void assertRejected(String reason, Verdict v) {
        assertEquals(Verdict.Kind.REJECTED, v.kind());
        assertEquals(reason, v.reason());
        assertNull(v.site());
    }

    @Test
    void tamperedMethod() {
        assertRejected("bad signature", verifier.verify("POST", PATH, request(covered(), sign())));
    }

    @Test
    void tamperedPath() {
        assertRejected("bad signature",
                verifier.verify("PUT", "/v1/AUTH_test/other?format=json&x=%2F", request(covered(), sign())));
    }

    @Test
    void tamperedQuery() {
        assertRejected("bad signature",
                verifier.verify("PUT", "/v1/AUTH_test/photos?format=xml&x=%2F", request(covered(), sign())));
        assertRejected("bad signature",
                verifier.verify("PUT", "/v1/AUTH_test/photos?format=json&x=/", request(covered(), sign())));
    }

    private Verdict verifyWithPeerHeader(String name, String value) {
        Map<String, String> peer = new LinkedHashMap<>(sign());
        peer.put(name, value);
        return verifier.verify("PUT", PATH, request(covered(), peer));
    }

    @Test
    void tamperedTimestamp() {
        long ts = clock.instant().getEpochSecond() - 1;
        assertRejected("bad signature", verifyWithPeerHeader(PeerHeaders.TIMESTAMP, Long.toString(ts)));
    }

    @Test
    void tamperedNonce() {
        assertRejected("bad signature", verifyWithPeerHeader(PeerHeaders.NONCE, "nonce-9999999999999999"));
    }

    @Test
    void tamperedSite() {
        assertRejected("bad signature", verifyWithPeerHeader(PeerHeaders.SITE, "b"));
    }

    @Test
    void tamperedSignedHeaderList() {
        assertRejected("bad signature", verifyWithPeerHeader(PeerHeaders.SIGNED_HEADERS, "content-type"));
        assertRejected("bad signature",
                verifyWithPeerHeader(PeerHeaders.SIGNED_HEADERS, "x-container-read,content-type,x-extra"));
        assertRejected("bad signature",
                verifyWithPeerHeader(PeerHeaders.SIGNED_HEADERS, "content-type,x-container-read"));
    }

    @Test
    void tamperedSignature() {
        String sig = sign().get(PeerHeaders.SIGNATURE);
        String flipped = (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
        assertRejected("bad signature", verifyWithPeerHeader(PeerHeaders.SIGNATURE, flipped));
        assertRejected("bad signature", verifyWithPeerHeader(PeerHeaders.SIGNATURE, "zz"));
    }

    @Test
    void tamperedCoveredHeaderValue() {
        Map<String, String> changed = covered();
        changed.put("X-Container-Read", ".r:*,.rlistings");
        assertRejected("bad signature", verifier.verify("PUT", PATH, request(changed, sign())));
    }

    @Test
    void removedCoveredHeader() {
        Map<String, String> fewer = covered();
        fewer.remove("Content-Type");
        assertRejected("bad signature", verifier.verify("PUT", PATH, request(fewer, sign())));
    }

    @Test
    void coveredHeaderAbsentIsSignedAsEmpty() {
        Map<String, String> cover = new LinkedHashMap<>();
        cover.put("X-Remove-Container-Read", null);
        Map<String, String> peer = signer("a", SECRET).sign("x", "POST", "/v1/AUTH_x/c", cover);
        assertTrue(verifier.verify("POST", "/v1/AUTH_x/c", request(Map.of(), peer)).isVerified());
        assertRejected("bad signature", verifier.verify("POST", "/v1/AUTH_x/c",
                request(Map.of("X-Remove-Container-Read", "x"), signer("a", SECRET).sign("x", "POST", "/v1/AUTH_x/c", cover))));
    }

    @Test
    void surroundingWhitespaceOfValuesIsIgnored() {
        Map<String, String> trimmed = new LinkedHashMap<>();
        trimmed.put("X-Container-Read", ".r:*");
        trimmed.put("Content-Type", "  text/plain ");
        assertTrue(verifier.verify("PUT", PATH, request(trimmed, sign())).isVerified());
    }

    // --- secrets ---

    @Test
    void wrongSecret() {
        Map<String, String> peer = signer("a", "not-the-secret".getBytes(StandardCharsets.UTF_8))
                .sign("x", "PUT", PATH, covered());
        assertRejected("bad signature", verifier.verify("PUT", PATH, request(covered(), peer)));
    }

    @Test
    void previousSecretStillAccepted() {
        Map<String, String> peer = signer("a", OLD_SECRET).sign("x", "PUT", PATH, covered());
        assertTrue(verifier.verify("PUT", PATH, request(covered(), peer)).isVerified());
    }

    @Test
    void retiredSecretRejectedOnceRemoved() {
        PeerVerifier rotated = new PeerVerifier("x", Set.of("a"), List.of(SECRET), SKEW, clock, nonces);
        Map<String, String> peer = signer("a", OLD_SECRET).sign("x", "PUT", PATH, covered());
        assertRejected("bad signature", rotated.verify("PUT", PATH, request(covered(), peer)));
    }

    // --- time ---

    @Test
    void withinSkewAccepted() {
        Map<String, String> past = sign();
        clock.advance(SKEW);
        assertTrue(verifier.verify("PUT", PATH, request(covered(), past)).isVerified());
        Map<String, String> future = sign();
        clock.advance(SKEW.negated());
        assertTrue(verifier.verify("PUT", PATH, request(covered(), future)).isVerified());
    }

    @Test
    void stalePast() {
        Map<String, String> peer = sign();
        clock.advance(SKEW.plusSeconds(1));
        assertRejected("stale timestamp", verifier.verify("PUT", PATH, request(covered(), peer)));
    }

    @Test
    void staleFuture() {
        Map<String, String> peer = sign();
        clock.advance(SKEW.plusSeconds(1).negated());
        assertRejected("stale timestamp", verifier.verify("PUT", PATH, request(covered(), peer)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-5", "1.5", "12345678901234567890", "1e9"})
    void malformedTimestamp(String ts) {
        assertRejected("malformed timestamp", verifyWithPeerHeader(PeerHeaders.TIMESTAMP, ts));
    }

    // --- presence ---

    @Test
    void notPeerWhenNoPeerHeader() {
        Verdict v = verifier.verify("PUT", PATH, request(covered(), Map.of()));
        assertEquals(Verdict.Kind.NOT_PEER, v.kind());
        assertNull(v.site());
        assertNull(v.reason());
    }

    @Test
    void missingEachHeader() {
        for (String name : PeerHeaders.ALL) {
            Map<String, String> peer = new LinkedHashMap<>(sign());
            peer.remove(name);
            assertRejected("missing " + name, verifier.verify("PUT", PATH, request(covered(), peer)));
        }
    }

    @Test
    void anySinglePeerHeaderMakesItAPeerRequest() {
        for (String name : PeerHeaders.ALL) {
            Verdict v = verifier.verify("GET", "/", request(Map.of(), Map.of(name, "x")));
            assertEquals(Verdict.Kind.REJECTED, v.kind(), name);
            assertTrue(v.reason().startsWith("missing "), v.reason());
        }
    }

    @Test
    void unknownSite() {
        Map<String, String> peer = signer("z", SECRET).sign("x", "PUT", PATH, covered());
        assertRejected("unknown peer site 'z'", verifier.verify("PUT", PATH, request(covered(), peer)));
    }

    @Test
    void unknownSiteIsEchoedSafely() {
        Verdict v = verifyWithPeerHeader(PeerHeaders.SITE, "ev'il\u0007" + "x".repeat(500));
        assertTrue(v.isRejected());
        assertTrue(v.reason().startsWith("unknown peer site 'ev?il?x"), v.reason());
        assertTrue(v.reason().length() < 100, v.reason());
    }

    @Test
    void malformedNonce() {
        assertRejected("malformed nonce", verifyWithPeerHeader(PeerHeaders.NONCE, "short"));
        assertRejected("malformed nonce", verifyWithPeerHeader(PeerHeaders.NONCE, "has spaces in the nonce"));
    }

    @Test
    void rejectionNeverRevealsSecretOrExpectedSignature() {
        Map<String, String> good = sign();
        Map<String, String> peer = new LinkedHashMap<>(good);
        peer.put(PeerHeaders.SIGNATURE, "0".repeat(64));
        Verdict v = verifier.verify("PUT", PATH, request(covered(), peer));
        assertRejected("bad signature", v);
        assertFalse(v.toString().contains(good.get(PeerHeaders.SIGNATURE)));
        assertFalse(v.toString().contains("current-peer-secret"));
    }

    // --- replay ---

    @Test
    void replayRejected() {
        Map<String, String> peer = sign();
        assertTrue(verifier.verify("PUT", PATH, request(covered(), peer)).isVerified());
        assertRejected("replayed nonce", verifier.verify("PUT", PATH, request(covered(), peer)));
    }

    @Test
    void replayRejectedEvenByAnotherVerifierSharingTheCache() {
        Map<String, String> peer = sign();
        assertTrue(verifier.verify("PUT", PATH, request(covered(), peer)).isVerified());
        PeerVerifier other = new PeerVerifier("x", Set.of("a"), List.of(SECRET), SKEW, clock, nonces);
        assertRejected("replayed nonce", other.verify("PUT", PATH, request(covered(), peer)));
    }

    @Test
    void nonceNotRecordedWhenSignatureBad() {
        Map<String, String> good = sign();
        Map<String, String> forged = new LinkedHashMap<>(good);
        forged.put(PeerHeaders.SIGNATURE, "0".repeat(64));
        assertRejected("bad signature", verifier.verify("PUT", PATH, request(covered(), forged)));
        assertEquals(0, nonces.estimatedSize());
        // the genuine request with that nonce still goes through
        assertTrue(verifier.verify("PUT", PATH, request(covered(), good)).isVerified());
    }

    @Test
    void nonceNotRecordedWhenStale() {
        Map<String, String> peer = sign();
        clock.advance(Duration.ofMinutes(5));
        assertRejected("stale timestamp", verifier.verify("PUT", PATH, request(covered(), peer)));
        assertEquals(0, nonces.estimatedSize());
    }

    @Test
    void sameNonceFromDifferentSitesIsNotAReplay() {
        PeerSigner a = new PeerSigner("a", SECRET, clock, () -> "the-same-nonce-0001");
        PeerSigner b = new PeerSigner("b", SECRET, clock, () -> "the-same-nonce-0001");
        assertTrue(verifier.verify("GET", "/", request(Map.of(), a.sign("x", "GET", "/", Map.of()))).isVerified());
        assertTrue(verifier.verify("GET", "/", request(Map.of(), b.sign("x", "GET", "/", Map.of()))).isVerified());
    }

    // --- construction and signer input checks ---

    @Test
    void verifierRefusesNonceCacheShorterThanWindow() {
        NonceCache tooShort = new NonceCache(Duration.ofSeconds(10));
        assertThrows(IllegalArgumentException.class,
                () -> new PeerVerifier("x", Set.of("a"), List.of(SECRET), SKEW, clock, tooShort));
    }

    @Test
    void verifierRefusesMissingSecrets() {
        assertThrows(IllegalArgumentException.class,
                () -> new PeerVerifier("x", Set.of("a"), List.of(), SKEW, clock, nonces));
        assertThrows(IllegalArgumentException.class,
                () -> new PeerVerifier("x", Set.of("a"), List.of(new byte[0]), SKEW, clock, nonces));
    }

    @Test
    void signerRejectsBadInput() {
        PeerSigner s = signer("a", SECRET);
        assertThrows(IllegalArgumentException.class,
                () -> s.sign("x", "PUT", PATH, Map.of(PeerHeaders.SIGNATURE, "x")));
        assertThrows(IllegalArgumentException.class,
                () -> s.sign("x", "PUT", PATH, Map.of("X-Meta", "a\r\nX-Injected: 1")));
        assertThrows(IllegalArgumentException.class, () -> s.sign("x", "PUT", "/a\nb", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> s.sign("x", "PUT", PATH, Map.of("bad name", "x")));
        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("X-Meta", "1");
        twice.put("x-meta", "2");
        assertThrows(IllegalArgumentException.class, () -> s.sign("x", "PUT", PATH, twice));
        assertThrows(IllegalArgumentException.class, () -> new PeerSigner("a", new byte[0], clock));
        assertThrows(IllegalArgumentException.class, () -> new PeerSigner("a/b", SECRET, clock));
        PeerSigner badNonces = new PeerSigner("a", SECRET, clock, () -> "tiny");
        assertThrows(IllegalStateException.class, () -> badNonces.sign("x", "GET", "/", Map.of()));
    }

    @Test
    void signerSecretIsCopiedAndHidden() {
        byte[] secret = "copy-me-secret".getBytes(StandardCharsets.UTF_8);
        PeerSigner s = new PeerSigner("a", secret, clock, () -> "nonce-0000000000000001");
        String before = s.sign("x", "GET", "/", Map.of()).get(PeerHeaders.SIGNATURE);
        secret[0] ^= 1;
        assertEquals(before, s.sign("x", "GET", "/", Map.of()).get(PeerHeaders.SIGNATURE));
        assertFalse(s.toString().contains("copy-me-secret"), s.toString());
        assertFalse(verifier.toString().contains("current-peer-secret"), verifier.toString());
    }
}
