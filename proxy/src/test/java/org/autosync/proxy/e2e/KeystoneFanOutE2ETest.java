package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.KeystoneLab.header;
import static org.autosync.proxy.e2e.KeystoneLab.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Fan-out on the Keystone lab (one Keystone shared by Swift a and b, see {@link KeystoneLab}),
 * with both per-site auth modes:
 * <ul>
 *   <li>forward: a peer request carries the client's own token and the receiving cluster checks
 *       the user's rights. The forward pair has no service credentials at all, so whatever it
 *       does at b it can only have done with the client's token.</li>
 *   <li>override at b: proxy b drops the client's token and acts as its own Keystone service
 *       identity (autosync, project service, ResellerAdmin).</li>
 * </ul>
 * Every check looks at Swift directly, with a tester token (valid at both sites).
 */
@EnabledIfSystemProperty(named = "autosync.e2e.keystone", matches = "true")
class KeystoneFanOutE2ETest {
    private static final String SYNC_SECRET = "keystone-e2e-sync-key-secret-012";
    private static final String PEER_SECRET = "keystone-e2e-peer-secret-3456789";
    private static final Duration SYNC_WAIT = Duration.ofSeconds(30);

    private static KeystoneLab lab;
    private static KeystoneLab.Site swiftA;
    private static KeystoneLab.Site swiftB;
    /** a and b both forward; no service credentials anywhere. */
    private static Pair forward;
    /** a forward, b override with the autosync service user. */
    private static Pair override;

    /** Proxy a in front of Swift a, proxy b in front of Swift b, peers of each other. */
    record Pair(AutosyncProxy a, AutosyncProxy b) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (a != null) {
                    a.close();
                }
            } finally {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /** How the pair's two proxies are configured, apart from ports. */
    record Modes(String authA, String authB, String serviceCredentialsB) {
    }

    @BeforeAll
    static void startProxies() throws Exception {
        lab = KeystoneLab.fromSystemProperties();
        swiftA = lab.site("a");
        swiftB = lab.site("b");
        swiftA.assertUp();
        swiftB.assertUp();
        forward = startPair(new Modes("forward", "forward", null));
        override = startPair(new Modes("forward", "override", keystoneCredentials("autosync", "b")));
    }

    @AfterAll
    static void stopProxies() {
        try {
            if (forward != null) {
                forward.close();
            }
        } finally {
            forward = null;
            if (override != null) {
                override.close();
            }
            override = null;
        }
    }

    @AfterEach
    void cleanupBothSites() {
        AssertionError first = null;
        for (KeystoneLab.Site s : List.of(swiftA, swiftB)) {
            try {
                s.cleanup();
            } catch (AssertionError e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------ configuration

    /** Proxy b's Keystone service identity (user autosync, project service). */
    static String keystoneCredentials(String password, String region) {
        return """
                service-credentials {
                  type = keystone
                  auth-url = "%s"
                  user = autosync
                  key = "%s"
                  project = service
                  user-domain = Default
                  project-domain = Default
                  region = %s
                }
                """.formatted(LabTls.labUrl(lab.authUrl), password, region);
    }

    static Settings settings(String site, int listenPort, URI swift, String urlA, String urlB, Modes m) {
        String creds = site.equals("b") && m.serviceCredentialsB() != null ? m.serviceCredentialsB() : "";
        String hocon = """
                autosync {
                  listen = "127.0.0.1:%d"
                  admin-listen = "127.0.0.1:0"
                  local-cluster = "%s"
                  event-loop-threads = 2
                  site = %s
                  sites {
                    a { url = "%s", realm-cluster = a, auth = %s }
                    b { url = "%s", realm-cluster = b, auth = %s }
                  }
                  sync-realm = lab
                  sync-key-secret = "%s"
                  peer-secret { current = "%s" }
                  %s
                  placement { default = [a, b] }
                  fan-out { connect-timeout = 2s, response-timeout = 20s }
                  # these pairs test who judges a client's rights; site a has no service identity
                  # to keep repair records with (RepairE2ETest covers repair)
                  repair.enabled = false
                }
                """.formatted(listenPort, LabTls.labUrl(swift.toString()), site, urlA, m.authA(), urlB, m.authB(),
                SYNC_SECRET, PEER_SECRET, creds);
        return Settings.fromConfig(ConfigFactory.parseString(hocon).withFallback(LabTls.hocon()));
    }

    static Pair startPair(Modes modes) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int[] ports = FanOutE2ETest.freePorts(2);
            String urlA = LabTls.proxyUrl(ports[0]);
            String urlB = LabTls.proxyUrl(ports[1]);
            AutosyncProxy a = null;
            try {
                a = AutosyncProxy.start(settings("a", ports[0], swiftA.base(), urlA, urlB, modes));
                AutosyncProxy b = AutosyncProxy.start(settings("b", ports[1], swiftB.base(), urlA, urlB, modes));
                return new Pair(a, b);
            } catch (RuntimeException e) { // a picked port was taken in between
                if (a != null) {
                    a.close();
                }
                if (attempt == 3 || e instanceof org.autosync.proxy.config.SettingsException) {
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A request through {@code proxy} as {@code user} (a Keystone token of the lab). */
    private static HttpResponse<byte[]> via(AutosyncProxy proxy, String user, String method, String path,
                                            byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(LabTls.proxyUrl(proxy.port()) + path))
                .timeout(Duration.ofSeconds(60))
                .header("X-Auth-Token", lab.token(user).id())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return KeystoneLab.send(b);
    }

    private static String newName(String hint) {
        String c = KeystoneLab.unique(hint);
        swiftA.track(c);
        swiftB.track(c);
        return c;
    }

    private static String syncKey(String account, String container) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SYNC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((account + "/" + container).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean ok(HttpResponse<?> r) {
        return r.statusCode() / 100 == 2;
    }

    /** tester creates {@code c} through the pair's proxy a; both sites answer 201. */
    private static void createThroughProxyA(Pair pair, String c) {
        HttpResponse<byte[]> r = via(pair.a(), KeystoneLab.TESTER, "PUT", lab.containerPath(c), new byte[0]);
        assertEquals(201, r.statusCode(), text(r) + " X-Autosync-Sites: " + header(r, "X-Autosync-Sites"));
        assertEquals("a=201, b=201", header(r, "X-Autosync-Sites"));
    }

    /** {@code c} exists at both sites, syncing a -> b -> a with the same derived key. */
    private static void assertSyncWired(String c) {
        String account = lab.testAccount();
        HttpResponse<byte[]> atA = swiftA.head(lab.containerPath(c));
        HttpResponse<byte[]> atB = swiftB.head(lab.containerPath(c));
        assertEquals(204, atA.statusCode(), "container at a");
        assertEquals(204, atB.statusCode(), "container at b");
        assertEquals("//lab/b/" + account + "/" + c, header(atA, "X-Container-Sync-To"), "sync-to at a");
        assertEquals("//lab/a/" + account + "/" + c, header(atB, "X-Container-Sync-To"), "sync-to at b");
        String key = header(atA, "X-Container-Sync-Key");
        assertNotNull(key, "sync key at a");
        assertEquals(key, header(atB, "X-Container-Sync-Key"), "same sync key at both sites");
        assertEquals(syncKey(account, c), key, "sync key = HMAC(sync-key-secret, account/container)");
    }

    private static void containerExistsAtBWithSyncWired(Pair pair, String hint) {
        String c = newName(hint);
        createThroughProxyA(pair, c);
        assertSyncWired(c);
    }

    /** Object through proxy a -> Swift b; object through proxy b -> Swift a (container sync). */
    private static void objectsFlowBothWays(Pair pair, String hint) {
        String c = newName(hint);
        createThroughProxyA(pair, c);

        byte[] fromA = ("written through proxy a " + c).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = via(pair.a(), KeystoneLab.TESTER, "PUT", lab.objectPath(c, "from-a.txt"), fromA);
        assertEquals(201, put.statusCode(), text(put));
        HttpResponse<byte[]> atB = swiftB.awaitGet(lab.objectPath(c, "from-a.txt"),
                KeystoneFanOutE2ETest::ok, SYNC_WAIT);
        assertEquals(200, atB.statusCode(), "object from a did not reach b within " + SYNC_WAIT);
        assertArrayEquals(fromA, atB.body());

        byte[] fromB = ("written through proxy b " + c).getBytes(StandardCharsets.UTF_8);
        put = via(pair.b(), KeystoneLab.TESTER, "PUT", lab.objectPath(c, "from-b.txt"), fromB);
        assertEquals(201, put.statusCode(), text(put));
        HttpResponse<byte[]> atA = swiftA.awaitGet(lab.objectPath(c, "from-b.txt"),
                KeystoneFanOutE2ETest::ok, SYNC_WAIT);
        assertEquals(200, atA.statusCode(), "object from b did not reach a within " + SYNC_WAIT);
        assertArrayEquals(fromB, atA.body());
    }

    /** POST metadata and DELETE through proxy a reach b too. */
    private static void postAndDeleteReachB(Pair pair, String hint) {
        String c = newName(hint);
        createThroughProxyA(pair, c);
        HttpResponse<byte[]> post = via(pair.a(), KeystoneLab.TESTER, "POST", lab.containerPath(c), null,
                "X-Container-Meta-Color", "blue");
        assertEquals(204, post.statusCode(), text(post));
        assertEquals("a=204, b=204", header(post, "X-Autosync-Sites"));
        assertEquals("blue", header(swiftB.head(lab.containerPath(c)), "X-Container-Meta-Color"), "metadata at b");
        assertEquals("blue", header(swiftA.head(lab.containerPath(c)), "X-Container-Meta-Color"), "metadata at a");

        HttpResponse<byte[]> del = via(pair.a(), KeystoneLab.TESTER, "DELETE", lab.containerPath(c), null);
        assertEquals(204, del.statusCode(), text(del));
        assertEquals("a=204, b=204", header(del, "X-Autosync-Sites"));
        assertEquals(404, swiftA.head(lab.containerPath(c)).statusCode(), "still at a");
        assertEquals(404, swiftB.head(lab.containerPath(c)).statusCode(), "still at b");
    }

    /**
     * tester3 (reader in project test) is refused by Swift a with 403 for a container PUT, POST and
     * DELETE through proxy a, and b is left exactly as it was.
     */
    private static void userWithoutRightsGets403AndNothingHappensAtB(Pair pair, String hint) {
        String absent = newName(hint + "-put");
        HttpResponse<byte[]> put = via(pair.a(), KeystoneLab.TESTER3, "PUT", lab.containerPath(absent), new byte[0]);
        assertEquals(403, put.statusCode(), text(put) + " X-Autosync-Sites: " + header(put, "X-Autosync-Sites"));
        assertEquals(404, swiftB.head(lab.containerPath(absent)).statusCode(), "tester3's PUT created it at b");
        assertEquals(404, swiftA.head(lab.containerPath(absent)).statusCode(), "tester3's PUT created it at a");

        String existing = newName(hint + "-existing");
        createThroughProxyA(pair, existing);
        HttpResponse<byte[]> post = via(pair.a(), KeystoneLab.TESTER3, "POST", lab.containerPath(existing), null,
                "X-Container-Meta-Color", "red");
        assertEquals(403, post.statusCode(), text(post) + " X-Autosync-Sites: " + header(post, "X-Autosync-Sites"));
        HttpResponse<byte[]> del = via(pair.a(), KeystoneLab.TESTER3, "DELETE", lab.containerPath(existing), null);
        assertEquals(403, del.statusCode(), text(del) + " X-Autosync-Sites: " + header(del, "X-Autosync-Sites"));
        for (KeystoneLab.Site s : List.of(swiftA, swiftB)) {
            HttpResponse<byte[]> h = s.head(lab.containerPath(existing));
            assertEquals(204, h.statusCode(), "tester3's DELETE removed the container at " + s.name);
            assertNull(header(h, "X-Container-Meta-Color"), "tester3's POST changed the container at " + s.name);
        }
        assertSyncWired(existing);
    }

    // ------------------------------------------------------------------ forward (shared Keystone)

    @Test
    void forwardContainerCreatedThroughProxyAExistsAtBWithSyncWired() {
        containerExistsAtBWithSyncWired(forward, "fwd-create");
    }

    @Test
    void forwardObjectsFlowBothWays() {
        objectsFlowBothWays(forward, "fwd-objects");
    }

    @Test
    void forwardPostAndDeleteReachB() {
        postAndDeleteReachB(forward, "fwd-postdel");
    }

    @Test
    void forwardUserWithoutRightsGets403AndNothingHappensAtB() {
        userWithoutRightsGets403AndNothingHappensAtB(forward, "fwd-reader");
    }

    // ------------------------------------------------------------------ override at b

    @Test
    void overrideContainerCreatedThroughProxyAExistsAtBWithSyncWired() {
        containerExistsAtBWithSyncWired(override, "ovr-create");
    }

    @Test
    void overrideObjectsFlowBothWays() {
        objectsFlowBothWays(override, "ovr-objects");
    }

    @Test
    void overridePostAndDeleteReachB() {
        postAndDeleteReachB(override, "ovr-postdel");
    }

    @Test
    void overrideUserWithoutRightsGets403AndNothingHappensAtB() {
        userWithoutRightsGets403AndNothingHappensAtB(override, "ovr-reader");
    }

    /**
     * Proves that b in override mode acts as its own identity and not with the client's (valid)
     * token: with a wrong service password, b's part fails as auth-failed, nothing appears at b,
     * and proxy b keeps serving clients.
     */
    @Test
    void overrideWithWrongServicePasswordAtBIsAuthFailedAndCreatesNothingAtB() throws Exception {
        try (Pair bad = startPair(new Modes("forward", "override", keystoneCredentials("not-the-password", "b")))) {
            String c = newName("ovr-badcreds");
            HttpResponse<byte[]> r = via(bad.a(), KeystoneLab.TESTER, "PUT", lab.containerPath(c), new byte[0]);
            assertEquals("a=201, b=auth-failed", header(r, "X-Autosync-Sites"), text(r));
            assertEquals(503, r.statusCode(), text(r));
            assertEquals(204, swiftA.head(lab.containerPath(c)).statusCode(), "local part at a");
            assertEquals(404, swiftB.head(lab.containerPath(c)).statusCode(),
                    "b created the container although its service login fails");

            // proxy b still serves its clients (their own token, passed through)
            HttpResponse<byte[]> account = via(bad.b(), KeystoneLab.TESTER, "HEAD", "/v1/" + lab.testAccount(), null);
            assertTrue(ok(account), "HEAD account through proxy b: " + account.statusCode());
        }
    }
}
