package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.PeerSigner;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.e2e.SecurityTar;
import org.autosync.proxy.e2e.SecurityWire;
import org.autosync.proxy.e2e.SecurityWire.Request;
import org.autosync.proxy.e2e.SecurityWire.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile client against a real proxy for site b (sites a, b, c) whose cluster, tempauth and
 * peers are stubs: every request here is forged, altered after signing, stale, replayed, sent
 * to the wrong site or asks a verified peer for more than it may. Each must be refused with 403
 * (400 for a malformed one) and nothing may reach the cluster, the auth endpoint or another
 * site. Extends {@link PeerSideTest}, which covers the basic refusals once each.
 */
class PeerAttackTest {
    static final String PEER_SECRET = "peer-attack-test-peer-secret-0123456789";
    static final String SYNC_SECRET = "peer-attack-test-sync-key-secret-98765";
    static final Duration SKEW = Duration.ofSeconds(30);
    private static final String X = "/v1/AUTH_test/x";
    private static final String Y = "/v1/AUTH_test/y";
    private static final String SYNC_KEY = FederationFixture.hmacHex(SYNC_SECRET, "AUTH_test/x");

    private StubSite cluster;
    private StubSite auth;
    private StubSite siteA;
    private StubSite siteC;
    private final AtomicInteger logins = new AtomicInteger();
    private AutosyncProxy proxy;
    private final List<AutoCloseable> extra = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new StubSite();
        auth = tempauth(logins);
        siteA = new StubSite();
        siteC = new StubSite();
        Map<String, URI> sites = new LinkedHashMap<>();
        sites.put("a", siteA.url());
        sites.put("b", URI.create("http://127.0.0.1:9"));
        sites.put("c", siteC.url());
        proxy = AutosyncProxy.start(settings("b", cluster.url(), auth.url(), sites, SKEW));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        for (AutoCloseable c : extra) {
            c.close();
        }
        cluster.close();
        auth.close();
        siteA.close();
        siteC.close();
    }

    static StubSite tempauth(AtomicInteger logins) throws IOException {
        StubSite s = new StubSite();
        s.answer("GET", r -> new MockResponse().setResponseCode(200)
                .addHeader("X-Auth-Token", "AUTH_tk_service_" + logins.incrementAndGet())
                .addHeader("X-Auth-Token-Expires", "3600")
                .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin"));
        return s;
    }

    /** The settings as an operator writes them (HOCON), placement = all sites in the given order. */
    static Settings settings(String site, URI cluster, URI auth, Map<String, URI> sites, Duration skew) {
        StringBuilder s = new StringBuilder();
        sites.forEach((name, url) -> s.append("    ").append(name).append(" { url = \"").append(url)
                .append("\", realm-cluster = ").append(name).append(" }\n"));
        String hocon = """
                autosync {
                  listen = "127.0.0.1:0"
                  admin-listen = "127.0.0.1:0"
                  local-cluster = "%s"
                  event-loop-threads = 2
                  site = %s
                  sites {
                %s  }
                  sync-realm = lab
                  sync-key-secret = "%s"
                  peer-secret = "%s"
                  service-credentials { auth-url = "%s/auth/v1.0", user = "admin:admin", key = "admin-key" }
                  placement { default = [%s] }
                  fan-out { connect-timeout = 2s, response-timeout = 10s }
                  peer-max-skew = %ds
                  repair.enabled = false   # no worker calls: every request at the stubs is an attack's
                }
                """.formatted(cluster, site, s, SYNC_SECRET, PEER_SECRET, auth, String.join(", ", sites.keySet()),
                skew.getSeconds());
        return Settings.fromConfig(ConfigFactory.parseString(hocon));
    }

    private static PeerSigner signer(String site) {
        return new PeerSigner(site, PEER_SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
    }

    private static PeerSigner signerAt(String site, Duration offset) {
        return new PeerSigner(site, PEER_SECRET.getBytes(StandardCharsets.UTF_8),
                Clock.offset(Clock.systemUTC(), offset));
    }

    /** A container PUT exactly as peer a sends it to b in the ring a -> b -> c. */
    private static Request fanOutPut(PeerSigner s, String path) {
        return SecurityWire.signed(s, "PUT", path, new byte[0],
                "X-Container-Meta-Color", "blue",
                "X-Container-Sync-To", "//lab/c" + path.substring(3),
                "X-Container-Sync-Key", SYNC_KEY);
    }

    private static Request fanOutPost(PeerSigner s, String path) {
        return SecurityWire.signed(s, "POST", path, new byte[0],
                "X-Container-Meta-Color", "blue",
                "X-Container-Sync-To", "//lab/c" + path.substring(3),
                "X-Container-Sync-Key", SYNC_KEY);
    }

    private Response send(Request r) {
        return SecurityWire.send(proxy.port(), r);
    }

    /** The attack got 403 (or 400) and touched nothing anywhere. */
    private void assertRefusedAndNothingHappened(String what, Response r) {
        List<String> reached = new ArrayList<>();
        for (RecordedRequest q : cluster.seen) {
            reached.add("cluster: " + q.getMethod() + " " + q.getPath() + " " + q.getHeaders().toMultimap());
        }
        auth.seen.forEach(q -> reached.add("auth: " + q.getMethod() + " " + q.getPath()));
        siteA.seen.forEach(q -> reached.add("site a: " + q.getMethod() + " " + q.getPath()));
        siteC.seen.forEach(q -> reached.add("site c: " + q.getMethod() + " " + q.getPath()));
        assertTrue(r.status() == 403 || r.status() == 400, what + ": answered " + r + "; reached " + reached);
        assertEquals(List.of(), reached, what + ": answered " + r.status() + " but requests went out");
    }

    // ------------------------------------------------------------------ baseline

    @Test
    void genuineRequestsOfTheFanOutAreAccepted() {
        // the fixture the attacks start from: without this passing, their 403s would prove nothing
        assertEquals(201, send(fanOutPut(signer("a"), X)).status());
        assertEquals(204, send(fanOutPost(signer("a"), X)).status());
        assertEquals(204, send(SecurityWire.signed(signer("c"), "HEAD", X, null)).status());
        assertEquals(204, send(SecurityWire.signed(signer("a"), "DELETE", X, null)).status());
        assertEquals(List.of("PUT", "POST", "HEAD", "DELETE"), cluster.methods());
        assertEquals("//lab/c/AUTH_test/x", cluster.seen.get(0).getHeader("X-Container-Sync-To"));
    }

    // ------------------------------------------------------------------ forged

    static Stream<Arguments> forged() {
        Request good = fanOutPut(signer("a"), X);
        PeerSigner wrong = new PeerSigner("a", "peer-attack-test-peer-secret-012345678X"
                .getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
        return Stream.of(
                Arguments.of("all peer headers but the signature", good.set(PeerHeaders.SIGNATURE, null)),
                Arguments.of("only the signature", SecurityWire.withoutPeerHeaders(good)
                        .add(PeerHeaders.SIGNATURE, good.header(PeerHeaders.SIGNATURE))),
                Arguments.of("empty signature", good.set(PeerHeaders.SIGNATURE, "")),
                Arguments.of("truncated signature", good.set(PeerHeaders.SIGNATURE,
                        good.header(PeerHeaders.SIGNATURE).substring(0, 63))),
                Arguments.of("signature of another request", good.set(PeerHeaders.SIGNATURE,
                        fanOutPut(signer("a"), Y).header(PeerHeaders.SIGNATURE))),
                Arguments.of("wrong secret, DELETE", SecurityWire.signed(wrong, "DELETE", X, null)),
                Arguments.of("wrong secret, POST", fanOutPost(wrong, X)),
                Arguments.of("unknown origin", fanOutPut(signer("zz"), X)),
                Arguments.of("origin differing in case", fanOutPut(signer("A"), X)),
                Arguments.of("origin b (itself), DELETE", SecurityWire.signed(signer("b"), "DELETE", X, null)),
                Arguments.of("origin swapped to c after a signed", good.set(PeerHeaders.SITE, "c")),
                Arguments.of("malformed nonce", good.set(PeerHeaders.NONCE, "short")),
                Arguments.of("line break smuggled into a signed value (obs-fold)",
                        good.set("X-Container-Meta-Color", "blue\r\n x-container-read: .r:*")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forged")
    void forgedPeerRequestsAreRefused(String what, Request r) {
        assertRefusedAndNothingHappened(what, send(r));
    }

    // ------------------------------------------------------------------ altered after signing

    static Stream<Arguments> tampered() {
        PeerSigner a = signer("a");
        Request put = fanOutPut(a, X);
        Request post = fanOutPost(a, X);
        Request head = SecurityWire.signed(a, "HEAD", X, null);
        Request del = SecurityWire.signed(a, "DELETE", X, null);
        Request query = SecurityWire.signed(a, "POST", X + "?format=json", new byte[0], "X-Container-Meta-Color", "blue");
        Request consistency = SecurityWire.signed(a, "POST", X, new byte[0],
                "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "all");
        return Stream.of(
                Arguments.of("HEAD used for DELETE", head.method("DELETE")),
                Arguments.of("HEAD used for PUT", head.method("PUT")),
                Arguments.of("POST used for PUT", post.method("PUT")),
                Arguments.of("PUT used for DELETE", put.method("DELETE")),
                Arguments.of("DELETE of x used for y", del.target(Y)),
                Arguments.of("DELETE of x used for the account", del.target("/v1/AUTH_test")),
                Arguments.of("DELETE of x used for x in another account", del.target("/v1/AUTH_other/x")),
                Arguments.of("PUT of x sent as %78", put.target("/v1/AUTH_test/%78")),
                Arguments.of("PUT of x sent with a trailing slash", put.target(X + "/")),
                Arguments.of("PUT of x sent with a query added", put.target(X + "?extract-archive=tar")),
                Arguments.of("query removed", query.target(X)),
                Arguments.of("query changed", query.target(X + "?format=xml")),
                Arguments.of("X-Container-Sync-To changed", put.set("X-Container-Sync-To", "//lab/b/AUTH_test/x")),
                Arguments.of("X-Container-Sync-To removed", post.set("X-Container-Sync-To", null)),
                Arguments.of("X-Container-Sync-Key changed", put.set("X-Container-Sync-Key", "0000")),
                Arguments.of("X-Autosync-Consistency changed", consistency.set("X-Autosync-Consistency", "local")),
                Arguments.of("X-Container-Meta-Color removed", post.set("X-Container-Meta-Color", null)),
                Arguments.of("signed-headers list shortened",
                        post.set("X-Container-Meta-Color", "red").set(PeerHeaders.SIGNED_HEADERS,
                                "x-container-sync-to,x-container-sync-key")),
                Arguments.of("signed-headers list emptied", post.set("X-Container-Sync-To", "//lab/b/AUTH_test/x")
                        .set(PeerHeaders.SIGNED_HEADERS, "")),
                Arguments.of("timestamp re-stamped", del.set(PeerHeaders.TIMESTAMP,
                        Long.toString(Long.parseLong(del.header(PeerHeaders.TIMESTAMP)) + 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampered")
    void requestsAlteredAfterSigningAreRefused(String what, Request r) {
        assertRefusedAndNothingHappened(what, send(r));
    }

    /**
     * A man in the middle between a and b adds a header the sender never signed. Every header a
     * peer sends is signed, so one that is not listed can only have been added on the way.
     */
    static Stream<Arguments> headerAddedAfterSigning() {
        PeerSigner a = signer("a");
        Request accountPost = SecurityWire.signed(a, "POST", "/v1/AUTH_test", new byte[0],
                "X-Account-Meta-Owner", "ops");
        return Stream.of(
                Arguments.of("X-Container-Read: .r:* (world-readable)", fanOutPut(a, X).add("X-Container-Read", ".r:*")),
                Arguments.of("X-Container-Write", fanOutPost(a, X).add("X-Container-Write", "evil:*")),
                Arguments.of("X-Container-Meta-* not signed", fanOutPost(a, X).add("X-Container-Meta-Evil", "1")),
                Arguments.of("a second X-Container-Meta-Color", fanOutPost(a, X).add("X-Container-Meta-Color", "red")),
                Arguments.of("a second X-Container-Sync-To", fanOutPost(a, X)
                        .add("X-Container-Sync-To", "//lab/b/AUTH_test/x")),
                Arguments.of("X-Remove-Container-Meta-Color", fanOutPost(a, X)
                        .add("X-Remove-Container-Meta-Color", "x")),
                Arguments.of("X-Versions-Location", fanOutPut(a, X).add("X-Versions-Location", "y")),
                Arguments.of("X-Account-Meta-Temp-URL-Key on an account POST",
                        accountPost.add("X-Account-Meta-Temp-URL-Key", "attacker-knows-this")),
                Arguments.of("X-Account-Access-Control on an account POST",
                        accountPost.add("X-Account-Access-Control", "{\"admin\":[\"evil:*\"]}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerAddedAfterSigning")
    void aHeaderAddedAfterSigningIsRefused(String what, Request r) {
        assertRefusedAndNothingHappened(what + " added after signing", send(r));
    }

    // ------------------------------------------------------------------ time and replay

    @Test
    void staleBeyondTheSkewEitherWayIsRefused() {
        for (Duration off : List.of(SKEW.plusSeconds(5).negated(), SKEW.plusSeconds(5), Duration.ofDays(1))) {
            Response r = send(SecurityWire.signed(signerAt("a", off), "DELETE", X, null));
            assertRefusedAndNothingHappened("stamped " + off, r);
            assertTrue(r.text().contains("stale"), r.toString());
        }
    }

    @Test
    void replayInsideTheWindowIsRefusedInEveryDisguise() {
        Request genuine = fanOutPost(signer("a"), X);
        assertEquals(204, send(genuine).status());
        cluster.seen.clear();
        auth.seen.clear();
        String sig = genuine.header(PeerHeaders.SIGNATURE);
        Map<String, Request> replays = new LinkedHashMap<>();
        replays.put("as captured", genuine);
        replays.put("signature upper-cased", genuine.set(PeerHeaders.SIGNATURE, sig.toUpperCase()));
        replays.put("method lower-cased", genuine.method("post"));
        replays.put("peer header names lower-cased", lowerPeerNames(genuine));
        replays.put("with an extra unsigned header", genuine.add("X-Trace", "1"));
        replays.put("value padded", genuine.set("X-Container-Meta-Color", "blue   "));
        for (Map.Entry<String, Request> e : replays.entrySet()) {
            Response r = send(e.getValue());
            assertRefusedAndNothingHappened("replay " + e.getKey(), r);
        }
        Response plain = send(genuine);
        assertTrue(plain.text().contains("replayed"), plain.toString());
    }

    private static Request lowerPeerNames(Request r) {
        Request out = r;
        for (String name : PeerHeaders.ALL) {
            String v = r.header(name);
            out = out.set(name, null).add(name.toLowerCase(), v);
        }
        return out;
    }

    @Test
    void replayRacingTheGenuineRequestWinsOnlyOnce() throws Exception {
        // a man in the middle fires copies of a request at the same time: exactly one is applied
        Request genuine = fanOutPost(signer("a"), X);
        int n = 8;
        List<Thread> threads = new ArrayList<>();
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    statuses.add(send(genuine).status());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertEquals(n, statuses.size());
        assertEquals(1, statuses.stream().filter(s -> s == 204).count(), "applied: " + statuses);
        assertEquals(n - 1, statuses.stream().filter(s -> s == 403).count(), "refused: " + statuses);
        assertEquals(1, cluster.seen.size(), "the cluster got the request once");
    }

    /**
     * In a ring a -> b -> c, a signs one request for b (its copy syncs to c) and another for c
     * (syncs to a). The request captured on its way to b must not be accepted by c: it would point
     * c's copy at c itself and break the ring, though c never saw that nonce.
     */
    @Test
    void aRequestSignedForBIsRefusedAtC() throws Exception {
        StubSite clusterC = new StubSite();
        StubSite authC = tempauth(new AtomicInteger());
        extra.add(clusterC);
        extra.add(authC);
        Map<String, URI> sites = new LinkedHashMap<>();
        sites.put("a", siteA.url());
        sites.put("b", URI.create("http://127.0.0.1:" + proxy.port()));
        sites.put("c", URI.create("http://127.0.0.1:9"));
        AutosyncProxy proxyC = AutosyncProxy.start(settings("c", clusterC.url(), authC.url(), sites, SKEW));
        extra.add(0, proxyC);

        Request forB = fanOutPut(signer("a"), X);
        assertEquals(201, send(forB).status(), "delivered to b as intended");
        Response atC = SecurityWire.send(proxyC.port(), forB);
        List<String> reached = clusterC.seen.stream()
                .map(q -> q.getMethod() + " " + q.getPath() + " sync-to=" + q.getHeader("X-Container-Sync-To")).toList();
        assertTrue(atC.status() == 403, "the request a signed for b was accepted by c: " + atC + "; c's cluster got "
                + reached);
        assertEquals(List.of(), reached);
    }

    // ------------------------------------------------------------------ a verified peer asking for too much

    static Stream<Arguments> tooMuch() {
        PeerSigner a = signer("a");
        byte[] tar = SecurityTar.oneFile("pwned.txt", "pwned".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                Arguments.of("GET an object", SecurityWire.signed(a, "GET", X + "/o", null)),
                Arguments.of("HEAD an object", SecurityWire.signed(a, "HEAD", X + "/o", null)),
                Arguments.of("DELETE an object", SecurityWire.signed(a, "DELETE", X + "/o", null)),
                Arguments.of("POST an object", SecurityWire.signed(a, "POST", X + "/o", new byte[0],
                        "X-Object-Meta-Color", "red")),
                Arguments.of("COPY an object", SecurityWire.signed(a, "COPY", X + "/o", null,
                        "Destination", "x/o2")),
                Arguments.of("PUT an object via %2F", SecurityWire.signed(a, "PUT", "/v1/AUTH_test/x%2Fo", "data".getBytes())),
                Arguments.of("GET the account as text", SecurityWire.signed(a, "GET", "/v1/AUTH_test", null)),
                Arguments.of("GET a container as text", SecurityWire.signed(a, "GET", X, null)),
                Arguments.of("GET a container as XML", SecurityWire.signed(a, "GET", X + "?format=xml", null)),
                Arguments.of("GET a container listing with a manifest query",
                        SecurityWire.signed(a, "GET", X + "?format=json&multipart-manifest=get", null)),
                Arguments.of("GET a container listing with format twice",
                        SecurityWire.signed(a, "GET", X + "?format=json&format=xml", null)),
                Arguments.of("GET a container listing of a symlink",
                        SecurityWire.signed(a, "GET", X + "?symlink=get&format=json", null)),
                Arguments.of("OPTIONS a container", SecurityWire.signed(a, "OPTIONS", X, null)),
                Arguments.of("lower-case delete", SecurityWire.signed(a, "delete", X, null)),
                Arguments.of("GET /info", SecurityWire.signed(a, "GET", "/info", null)),
                Arguments.of("GET the auth endpoint", SecurityWire.signed(a, "GET", "/auth/v1.0", null,
                        "X-Auth-User", "admin:admin")),
                Arguments.of("objects by bulk extract-archive on a container PUT",
                        SecurityWire.signed(a, "PUT", X + "?extract-archive=tar", tar)),
                Arguments.of("objects by bulk-delete on an account POST",
                        SecurityWire.signed(a, "POST", "/v1/AUTH_test?bulk-delete", "x/o\n".getBytes(),
                                "Content-Type", "text/plain")),
                Arguments.of("objects by bulk-delete on an account DELETE",
                        SecurityWire.signed(a, "DELETE", "/v1/AUTH_test?bulk-delete", "x/o\n".getBytes(),
                                "Content-Type", "text/plain")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tooMuch")
    void aVerifiedPeerMayNotTouchObjectsOrRead(String what, Request r) {
        assertRefusedAndNothingHappened(what, send(r));
    }

    @Test
    void aVerifiedPeerMayReadJsonListingsAsTheServiceUser() {
        for (String path : List.of("/v1/AUTH_test?format=json", X + "?format=json&marker=m&limit=10&prefix=p")) {
            cluster.seen.clear();
            Response r = send(SecurityWire.signed(signer("a"), "GET", path, null));
            assertEquals(200, r.status(), path + ": " + r);
            assertEquals(1, cluster.seen.size(), path);
            assertEquals("GET", cluster.seen.get(0).getMethod());
            assertEquals(path, cluster.seen.get(0).getPath());
            assertTrue(cluster.seen.get(0).getHeader("X-Auth-Token").startsWith("AUTH_tk_service_"),
                    "applied as this site's service user only");
        }
    }

    @Test
    void refusalsAreCountedWithoutEchoingTheRequest() {
        send(fanOutPut(signer("zz"), X));
        send(SecurityWire.signed(signer("a"), "GET", X + "/o", null));
        String scrape = proxy.metrics().scrape();
        assertEquals(1.0, Scrape.sample(scrape, "autosync_peer_rejected_total", "reason", "unknown-site"));
        assertEquals(1.0, Scrape.sample(scrape, "autosync_peer_rejected_total", "reason", "forbidden-operation"));
        assertFalse(scrape.contains("zz"), "a metric label echoes the request");
        assertFalse(scrape.contains("/o"), "a metric label echoes the request");
    }
}
