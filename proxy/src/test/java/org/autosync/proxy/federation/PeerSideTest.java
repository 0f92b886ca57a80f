package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.PeerSigner;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.RawClient;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The receiving side: a proxy for site b gets signed requests from "site a" (this test). Its
 * cluster and its tempauth endpoint are MockWebServers; so are the proxies of sites a and c,
 * which must never be contacted (a peer request is applied here only).
 */
class PeerSideTest {
    private static final byte[] SECRET = FederationFixture.PEER_SECRET.getBytes(StandardCharsets.UTF_8);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private StubSite cluster;
    private StubSite auth;
    private StubSite siteA;
    private StubSite siteC;
    private final AtomicInteger logins = new AtomicInteger();
    private AutosyncProxy proxy;

    @BeforeEach
    void start() throws Exception {
        cluster = new StubSite();
        auth = new StubSite();
        siteA = new StubSite();
        siteC = new StubSite();
        auth.answer("GET", r -> new MockResponse().setResponseCode(200)
                .addHeader("X-Auth-Token", "AUTH_tk_service_" + logins.incrementAndGet())
                .addHeader("X-Auth-Token-Expires", "3600")
                .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin"));
        proxy = TestProxy.start(cluster.server.getPort(), s -> s.federation(FederationFixture.at("b")
                .site("a", siteA.url()).site("b", URI.create("http://127.0.0.1:9")).site("c", siteC.url())
                .authUrl(URI.create(auth.url() + "/auth/v1.0"))
                .build()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        cluster.close();
        auth.close();
        siteA.close();
        siteC.close();
    }

    private static PeerSigner signer() {
        return new PeerSigner("a", SECRET, Clock.systemUTC());
    }

    /** Headers the tests sign and send (none that the JDK client restricts). */
    private static Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Container-Meta-Color", "blue");
        h.put("X-Auth-Token", "AUTH_tk_whatever_the_sender_had");
        return h;
    }

    /** A request as sent: method, path, the signed headers plus the peer headers. */
    private record Signed(String method, String path, Map<String, String> headers) {
        Signed with(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Signed(method, path, h);
        }
    }

    private static Signed sign(PeerSigner signer, String method, String path, Map<String, String> covered) {
        Map<String, String> all = new LinkedHashMap<>(covered);
        all.putAll(signer.sign("b", method, path, covered));
        return new Signed(method, path, all);
    }

    private HttpResponse<String> send(Signed s) throws Exception {
        return send(s.method(), s.path(), s.headers());
    }

    private HttpResponse<String> send(String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofByteArray(new byte[0])
                        : HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertNothingReachedAnything() {
        assertEquals(0, cluster.seen.size(), "cluster must receive nothing");
        assertEquals(0, auth.seen.size(), "no service login for a refused request");
        assertNoFurtherFanOut();
    }

    private void assertNoFurtherFanOut() {
        assertEquals(0, siteA.seen.size(), "site a must not be contacted by b");
        assertEquals(0, siteC.seen.size(), "site c must not be contacted by b");
    }

    private double rejected(String reason) {
        Double v = Scrape.sample(proxy.metrics().scrape(), "autosync_peer_rejected_total", "reason", reason);
        return v == null ? 0 : v;
    }

    // ------------------------------------------------------------------ accepted

    @Test
    void validSignedContainerPutIsAppliedWithTheServiceTokenAndGoesNoFurther() throws Exception {
        HttpResponse<String> r = send(sign(signer(), "PUT", "/v1/AUTH_test/c1", headers()));
        assertEquals(201, r.statusCode(), r.body());
        RecordedRequest login = auth.only();
        assertEquals("GET", login.getMethod());
        assertEquals("/auth/v1.0", login.getPath());
        assertEquals("admin:admin", login.getHeader("X-Auth-User"));
        assertEquals("admin-key", login.getHeader("X-Auth-Key"));
        RecordedRequest applied = cluster.only();
        assertEquals("PUT", applied.getMethod());
        assertEquals("/v1/AUTH_test/c1", applied.getPath());
        assertEquals(List.of("AUTH_tk_service_1"), applied.getHeaders().values("X-Auth-Token"),
                "the service token, and only it");
        assertEquals("blue", applied.getHeader("X-Container-Meta-Color"));
        for (String name : applied.getHeaders().names()) {
            assertTrue(!PeerHeaders.isPeerHeader(name), "peer header reached the cluster: " + name);
        }
        assertNull(applied.getHeader("X-Container-Sync-To"), "a peer request is not re-fanned with new sync headers");
        assertNoFurtherFanOut();
    }

    /** A signed peer POST of c1 with metadata and the given sync target and a key; b answers 204. */
    private void postSyncHeaders(String syncTo) throws Exception {
        Map<String, String> h = headers();
        h.put("X-Container-Sync-To", syncTo);
        h.put("X-Container-Sync-Key", "0123abcd");
        HttpResponse<String> r = send(sign(signer(), "POST", "/v1/AUTH_test/c1", h));
        assertEquals(204, r.statusCode(), r.body());
    }

    @Test
    void aSyncTargetOtherThanThisSitesOwnIsReplacedByThisSitesOwn() throws Exception {
        // b's copy of a container placed at a, b, c syncs to c: a peer that routes its own copy
        // around c does not decide where b's copy goes
        postSyncHeaders("//lab/a/AUTH_test/c1");
        assertEquals("//lab/c/AUTH_test/c1", cluster.only().getHeader("X-Container-Sync-To"));
        assertEquals("0123abcd", cluster.only().getHeader("X-Container-Sync-Key"));
        assertNoFurtherFanOut();
    }

    @Test
    void aPeerChangeNeverPointsThisSitesCopyAtASiteThatIsDownHere() throws Exception {
        proxy.close();
        siteC.healthy = false; // c fails b's health checks: b's own target for [a, b, c] copies is c
        proxy = TestProxy.start(cluster.server.getPort(), s -> s.federation(FederationFixture.at("b")
                .site("a", siteA.url()).site("b", URI.create("http://127.0.0.1:9")).site("c", siteC.url())
                .authUrl(URI.create(auth.url() + "/auth/v1.0")).peerHealth(Duration.ofMillis(100), 1)
                .build()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (siteC.healthChecks.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        postSyncHeaders("//lab/c/AUTH_test/c1");
        assertNull(cluster.only().getHeader("X-Container-Sync-To"), "the copy keeps the target it has");
        assertEquals("0123abcd", cluster.only().getHeader("X-Container-Sync-Key"));
        assertEquals("blue", cluster.only().getHeader("X-Container-Meta-Color"));
    }

    @Test
    void syncHeadersSentByThePeerAreAppliedAsSent() throws Exception {
        postSyncHeaders("//lab/c/AUTH_test/c1");
        assertEquals("//lab/c/AUTH_test/c1", cluster.only().getHeader("X-Container-Sync-To"));
        assertEquals("0123abcd", cluster.only().getHeader("X-Container-Sync-Key"));
        assertNoFurtherFanOut();
    }

    @Test
    void headersAddedAfterSigningAreRefusedExceptWhatALoadBalancerAdds() throws Exception {
        Signed added = sign(signer(), "POST", "/v1/AUTH_test/c1", headers())
                .with("X-Container-Sync-To", "//lab/evil/AUTH_test/c1");
        HttpResponse<String> r = send(added);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("x-container-sync-to is not covered by the signature"), r.body());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("unsigned-header"));

        Signed viaBalancer = sign(signer(), "POST", "/v1/AUTH_test/c1", headers())
                .with("X-Forwarded-For", "10.0.0.7").with("Via", "1.1 lb");
        assertEquals(204, send(viaBalancer).statusCode());
        RecordedRequest applied = cluster.only();
        assertEquals("blue", applied.getHeader("X-Container-Meta-Color"), "signed headers are applied");
        assertNull(applied.getHeader("Via"), "unsigned headers never reach the cluster");
    }

    @Test
    void aSignedHeaderSentTwiceIsRefused() throws Exception {
        Signed s = sign(signer(), "POST", "/v1/AUTH_test/c1", headers());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + s.path()))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody());
        s.headers().forEach(b::header);
        b.header("X-Container-Meta-Color", "red"); // a second copy: the signature covered the first
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("repeated"), r.body());
        assertNothingReachedAnything();
    }

    @Test
    void aConnectionHeaderNamingSignedHeadersIsRefused() throws Exception {
        // hop-by-hop stripping would otherwise delete the signed metadata after verification
        Signed s = sign(signer(), "POST", "/v1/AUTH_test/c1", headers());
        StringBuilder req = new StringBuilder("POST " + s.path() + " HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\n"
                + "Connection: close, x-container-meta-color\r\n");
        s.headers().forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(req.append("\r\n").toString());
            assertEquals(403, client.readHead().status());
        }
        assertNothingReachedAnything();
    }

    @Test
    void aVerifiedPeerMayNotAskForBulkOperations() throws Exception {
        assertEquals(403, send(sign(signer(), "PUT", "/v1/AUTH_test/c1?extract-archive=tar", headers())).statusCode());
        assertEquals(403, send(sign(signer(), "POST", "/v1/AUTH_test?bulk-delete", headers())).statusCode());
        assertNothingReachedAnything();
    }

    @Test
    void serviceTokenIsReusedAcrossPeerRequests() throws Exception {
        assertEquals(201, send(sign(signer(), "PUT", "/v1/AUTH_test/c1", headers())).statusCode());
        assertEquals(204, send(sign(signer(), "DELETE", "/v1/AUTH_test/c1", headers())).statusCode());
        assertEquals(1, auth.seen.size(), "one login for both");
        assertEquals(List.of("PUT", "DELETE"), cluster.methods());
        assertEquals("AUTH_tk_service_1", cluster.seen.get(1).getHeader("X-Auth-Token"));
    }

    @Test
    void verifiedPeerMayHeadAContainerAndSeesItsObjectCount() throws Exception {
        cluster.answer("HEAD", r -> new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "7"));
        HttpResponse<String> r = send(sign(signer(), "HEAD", "/v1/AUTH_test/c1", Map.of()));
        assertEquals(204, r.statusCode());
        assertEquals("7", r.headers().firstValue("X-Container-Object-Count").orElse(null));
        assertEquals("AUTH_tk_service_1", cluster.only().getHeader("X-Auth-Token"));
    }

    @Test
    void aPeerAskingWhetherChangesAreOnTheirWayHearsNoneWhenRepairIsOffHere() throws Exception {
        HttpResponse<String> r = send(sign(signer(), "HEAD", "/v1/AUTH_test/c1",
                Map.of("X-Autosync-Want-Pending-To-Me", "1")));
        assertEquals(204, r.statusCode());
        assertEquals("0", r.headers().firstValue("X-Autosync-Pending").orElse(null), "nothing is ever recorded here");
        assertEquals(null, cluster.only().getHeader("X-Autosync-Want-Pending-To-Me"), "Swift never sees it");
    }

    // ------------------------------------------------------------------ refused

    @Test
    void peerHeadersWithoutSignatureAreRefused() throws Exception {
        HttpResponse<String> r = send("PUT", "/v1/AUTH_test/c1", Map.of(PeerHeaders.SITE, "a",
                "X-Container-Meta-Color", "blue"));
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("peer request rejected"), r.body());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("missing-header"));
    }

    @Test
    void signatureWithAnotherSecretIsRefused() throws Exception {
        PeerSigner wrong = new PeerSigner("a", "not-the-shared-peer-secret-at-all".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC());
        assertEquals(403, send(sign(wrong, "PUT", "/v1/AUTH_test/c1", headers())).statusCode());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("bad-signature"));
    }

    @Test
    void randomSignatureIsRefused() throws Exception {
        Signed s = sign(signer(), "PUT", "/v1/AUTH_test/c1", headers())
                .with(PeerHeaders.SIGNATURE, "ab".repeat(32));
        assertEquals(403, send(s).statusCode());
        assertNothingReachedAnything();
    }

    @Test
    void tamperedPathIsRefused() throws Exception {
        Signed s = sign(signer(), "PUT", "/v1/AUTH_test/c1", headers());
        assertEquals(403, send(s.method(), "/v1/AUTH_test/c2", s.headers()).statusCode());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("bad-signature"));
    }

    @Test
    void tamperedMethodIsRefused() throws Exception {
        Signed s = sign(signer(), "PUT", "/v1/AUTH_test/c1", headers());
        assertEquals(403, send("DELETE", s.path(), s.headers()).statusCode());
        assertNothingReachedAnything();
    }

    @Test
    void tamperedSignedHeaderIsRefused() throws Exception {
        Signed s = sign(signer(), "PUT", "/v1/AUTH_test/c1", headers()).with("X-Container-Meta-Color", "red");
        assertEquals(403, send(s).statusCode());
        assertNothingReachedAnything();
    }

    @Test
    void staleTimestampIsRefused() throws Exception {
        PeerSigner old = new PeerSigner("a", SECRET, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10)));
        assertEquals(403, send(sign(old, "PUT", "/v1/AUTH_test/c1", headers())).statusCode());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("stale"));
    }

    @Test
    void replayedRequestIsRefusedTheSecondTime() throws Exception {
        Signed s = sign(signer(), "PUT", "/v1/AUTH_test/c1", headers());
        assertEquals(201, send(s).statusCode());
        HttpResponse<String> again = send(s);
        assertEquals(403, again.statusCode(), again.body());
        assertEquals(1, cluster.seen.size(), "the replay must not reach the cluster");
        assertEquals(1.0, rejected("replayed"));
        assertNoFurtherFanOut();
    }

    @Test
    void unknownSiteIsRefused() throws Exception {
        PeerSigner stranger = new PeerSigner("zz", SECRET, Clock.systemUTC());
        assertEquals(403, send(sign(stranger, "PUT", "/v1/AUTH_test/c1", headers())).statusCode());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("unknown-site"));
    }

    @Test
    void ownSiteNameIsNotAPeer() throws Exception {
        PeerSigner self = new PeerSigner("b", SECRET, Clock.systemUTC());
        assertEquals(403, send(sign(self, "PUT", "/v1/AUTH_test/c1", headers())).statusCode());
        assertNothingReachedAnything();
    }

    @Test
    void verifiedPeerMayNotGet() throws Exception {
        HttpResponse<String> r = send(sign(signer(), "GET", "/v1/AUTH_test/c1", headers()));
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("may only PUT, POST, DELETE or HEAD"), r.body());
        assertNothingReachedAnything();
        assertEquals(1.0, rejected("forbidden-operation"));
    }

    @Test
    void verifiedPeerMayNotTouchObjects() throws Exception {
        assertEquals(403, send(sign(signer(), "PUT", "/v1/AUTH_test/c1/o", headers())).statusCode());
        assertEquals(403, send(sign(signer(), "DELETE", "/v1/AUTH_test/c1%2Fo", headers())).statusCode());
        assertEquals(403, send(sign(signer(), "POST", "/info", headers())).statusCode());
        assertNothingReachedAnything();
        assertEquals(3.0, rejected("forbidden-operation"));
    }

    // ------------------------------------------------------------------ service identity

    @Test
    void cluster401CausesOneFreshLoginAndOneRetry() throws Exception {
        AtomicInteger puts = new AtomicInteger();
        cluster.answer("PUT", r -> new MockResponse().setResponseCode(puts.incrementAndGet() == 1 ? 401 : 201));
        HttpResponse<String> r = send(sign(signer(), "PUT", "/v1/AUTH_test/c1", headers()));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(2, auth.seen.size(), "logins");
        assertEquals(2, cluster.seen.size(), "cluster requests");
        assertEquals("AUTH_tk_service_1", cluster.seen.get(0).getHeader("X-Auth-Token"));
        assertEquals("AUTH_tk_service_2", cluster.seen.get(1).getHeader("X-Auth-Token"));
    }

    @Test
    void cluster401TwiceIsReturnedAfterOneRetryOnly() throws Exception {
        cluster.answer("PUT", 401);
        HttpResponse<String> r = send(sign(signer(), "PUT", "/v1/AUTH_test/c1", headers()));
        assertEquals(401, r.statusCode());
        assertEquals(2, auth.seen.size());
        assertEquals(2, cluster.seen.size());
    }

    @Test
    void failingServiceLoginAnswers503AuthFailed() throws Exception {
        auth.answer("GET", 401);
        HttpResponse<String> r = send(sign(signer(), "PUT", "/v1/AUTH_test/c1", headers()));
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("auth-failed", r.headers().firstValue("X-Autosync-Error").orElse(null));
        assertEquals(0, cluster.seen.size());
        assertTrue(!r.body().contains("admin-key"), "the service key must not leak: " + r.body());
        assertNoFurtherFanOut();
    }
}
