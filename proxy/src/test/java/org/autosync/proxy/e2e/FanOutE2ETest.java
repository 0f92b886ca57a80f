package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.testing.RawClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Fan-out on the real lab: proxy a in front of Swift a (8081) and proxy b in front of Swift b
 * (8082), configured as peers on ports picked at start. Every check looks at each Swift cluster
 * directly, with that site's own token.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class FanOutE2ETest {
    private static final String SYNC_SECRET = "fanout-e2e-sync-key-secret-0123";
    private static final String PEER_SECRET = "fanout-e2e-peer-secret-456789ab";
    private static final Duration SYNC_WAIT = Duration.ofSeconds(30);
    private static final String ACCOUNT_PATH = "/v1/AUTH_test";

    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));

    private static AutosyncProxy proxyA;
    private static AutosyncProxy proxyB;

    @BeforeAll
    static void startPeers() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        for (int attempt = 1; ; attempt++) {
            int[] ports = freePorts(2);
            String urlA = LabTls.proxyUrl(ports[0]);
            String urlB = LabTls.proxyUrl(ports[1]);
            try {
                proxyA = AutosyncProxy.start(settings("a", ports[0], SWIFT_A.port(), urlA, urlB));
                proxyB = AutosyncProxy.start(settings("b", ports[1], SWIFT_B.port(), urlA, urlB));
                return;
            } catch (RuntimeException e) { // a picked port was taken in between
                stopPeers();
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    @AfterAll
    static void stopPeers() {
        if (proxyA != null) {
            proxyA.close();
            proxyA = null;
        }
        if (proxyB != null) {
            proxyB.close();
            proxyB = null;
        }
    }

    @AfterEach
    void cleanupBothSites() {
        AssertionError first = null;
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
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

    /** The proxies' own settings, from HOCON as in production. */
    static Settings settings(String site, int listenPort, int swiftPort, String urlA, String urlB) {
        // a narrow rule listed first: its containers live at a only, and must not decide where
        // the account's own changes go
        return Settings.fromConfig(ConfigFactory.parseString(
                        "autosync.placement.rules = [ { account = AUTH_test, container = \"fanout-solo-*\", sites = [a] } ]")
                .withFallback(hocon(site, listenPort, swiftPort, urlA, urlB, SYNC_SECRET, PEER_SECRET)));
    }

    /** A site of the tempauth lab pair a, b, as its proxy would be configured. */
    static Config hocon(String site, int listenPort, int swiftPort, String urlA, String urlB, String syncSecret,
                        String peerSecret) {
        return ConfigFactory.parseString("""
                autosync {
                  listen = "127.0.0.1:%d"
                  admin-listen = "127.0.0.1:0"
                  local-cluster = "%s"
                  event-loop-threads = 2
                  site = %s
                  sites {
                    a { url = "%s", realm-cluster = a }
                    b { url = "%s", realm-cluster = b }
                  }
                  sync-realm = lab
                  sync-key-secret = "%s"
                  peer-secret = "%s"
                  service-credentials { auth-url = "%s/auth/v1.0", user = "admin:admin", key = admin }
                  placement { default = [a, b] }
                  fan-out { connect-timeout = 2s, response-timeout = 20s }
                }
                """.formatted(listenPort, LabTls.labUrl(swiftPort), site, urlA, urlB, syncSecret, peerSecret,
                LabTls.labUrl(swiftPort))).withFallback(LabTls.hocon());
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    static int closedPort() throws IOException {
        return freePorts(1)[0];
    }

    // ------------------------------------------------------------------ helpers

    /** A request through {@code proxy} with site a's tester token (the client's view). */
    private static HttpResponse<byte[]> viaProxy(AutosyncProxy proxy, String method, String path, byte[] body,
                                                 String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(LabTls.proxyUrl(proxy.port()) + path))
                .timeout(Duration.ofSeconds(60))
                .header("X-Auth-Token", SWIFT_A.token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    private static String newName(String hint) {
        String c = FanOutSwiftSite.unique(hint);
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        return c;
    }

    /** Creates {@code c} through proxy a and checks that both sites applied it. */
    private static void createThroughProxyA(String c) {
        HttpResponse<byte[]> r = viaProxy(proxyA, "PUT", containerPath(c), new byte[0]);
        assertTrue(r.statusCode() == 201 || r.statusCode() == 202, r.statusCode() + " " + text(r));
        assertEquals("a=" + r.statusCode() + ", b=201", header(r, "X-Autosync-Sites"));
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

    // ------------------------------------------------------------------ tests

    @Test
    void containerCreatedThroughProxyAExistsAtBothSitesWithRingSyncHeaders() {
        String c = newName("create");
        createThroughProxyA(c);
        HttpResponse<byte[]> atA = SWIFT_A.head(containerPath(c));
        HttpResponse<byte[]> atB = SWIFT_B.head(containerPath(c));
        assertEquals(204, atA.statusCode(), "container at a");
        assertEquals(204, atB.statusCode(), "container at b");
        assertEquals("//lab/b/AUTH_test/" + c, header(atA, "X-Container-Sync-To"));
        assertEquals("//lab/a/AUTH_test/" + c, header(atB, "X-Container-Sync-To"));
        String key = header(atA, "X-Container-Sync-Key");
        assertNotNull(key, "sync key at a");
        assertEquals(key, header(atB, "X-Container-Sync-Key"), "same sync key at both sites");
        assertEquals(syncKey("AUTH_test", c), key);
    }

    @Test
    void objectsSyncAlongTheRingInBothDirections() {
        String c = newName("objects");
        createThroughProxyA(c);
        byte[] fromA = ("written through proxy a " + c).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = viaProxy(proxyA, "PUT", objectPath(c, "from-a.txt"), fromA);
        assertEquals(201, put.statusCode(), text(put));
        HttpResponse<byte[]> atB = SWIFT_B.awaitGet(objectPath(c, "from-a.txt"), FanOutE2ETest::ok, SYNC_WAIT);
        assertEquals(200, atB.statusCode(), "object from a did not reach b within " + SYNC_WAIT);
        assertArrayEquals(fromA, atB.body());

        byte[] fromB = ("written directly at b " + c).getBytes(StandardCharsets.UTF_8);
        assertEquals(201, SWIFT_B.put(objectPath(c, "from-b.txt"), fromB).statusCode());
        HttpResponse<byte[]> atA = SWIFT_A.awaitGet(objectPath(c, "from-b.txt"), FanOutE2ETest::ok, SYNC_WAIT);
        assertEquals(200, atA.statusCode(), "object from b did not reach a within " + SYNC_WAIT);
        assertArrayEquals(fromB, atA.body());
    }

    @Test
    void postedMetadataReachesBothSitesAndSyncHeadersStay() {
        String c = newName("post");
        createThroughProxyA(c);
        HttpResponse<byte[]> r = viaProxy(proxyA, "POST", containerPath(c), null, "X-Container-Meta-Color", "blue");
        assertEquals(204, r.statusCode(), text(r));
        assertEquals("a=204, b=204", header(r, "X-Autosync-Sites"));
        String key = syncKey("AUTH_test", c);
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            HttpResponse<byte[]> h = s.head(containerPath(c));
            assertEquals("blue", header(h, "X-Container-Meta-Color"), "metadata at " + s.name);
            assertEquals("//lab/" + (s == SWIFT_A ? "b" : "a") + "/AUTH_test/" + c,
                    header(h, "X-Container-Sync-To"), "sync target at " + s.name);
            assertEquals(key, header(h, "X-Container-Sync-Key"), "sync key at " + s.name);
        }
    }

    @Test
    void underscoreHeaderNamesFanOutAndAreCheckedAsSwiftReadsThem() throws Exception {
        String c = newName("uscore");
        createThroughProxyA(c);
        String head = "Host: 127.0.0.1\r\nX-Auth-Token: " + SWIFT_A.token() + "\r\nContent-Length: 0\r\n";
        try (RawClient rc = new RawClient(LabTls.socket(proxyA.port()))) {
            rc.send("POST " + containerPath(c) + " HTTP/1.1\r\n" + head + "X_Container_Meta_Color: blue\r\n\r\n");
            RawClient.Head h = rc.readHead();
            assertEquals(204, h.status(), h.statusLine());
            assertEquals("a=204, b=204", h.header("X-Autosync-Sites"));
            rc.readExactly(0);
            // Swift would take this as X-Container-Sync-To: refused like the dashed name
            rc.send("POST " + containerPath(c) + " HTTP/1.1\r\n" + head
                    + "X_Container_Sync_To: //lab/b/AUTH_test/elsewhere\r\n\r\n");
            RawClient.Head refused = rc.readHead();
            assertEquals(400, refused.status(), refused.statusLine());
            String why = new String(rc.readExactly(Integer.parseInt(refused.header("Content-Length"))),
                    StandardCharsets.UTF_8);
            assertTrue(why.contains("is managed by Autosync"), why);
        }
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            HttpResponse<byte[]> h = s.head(containerPath(c));
            assertEquals("blue", header(h, "X-Container-Meta-Color"), "metadata at " + s.name);
            assertEquals("//lab/" + (s == SWIFT_A ? "b" : "a") + "/AUTH_test/" + c,
                    header(h, "X-Container-Sync-To"), "sync target at " + s.name);
        }
    }

    // ------------------------------------------------------------------ Swift features across sites

    @Test
    void versioningIsRefusedOnASyncedContainerWhichStaysChangeable() {
        String c = newName("versions");
        createThroughProxyA(c);
        HttpResponse<byte[]> on = viaProxy(proxyA, "POST", containerPath(c), null, "X-Versions-Enabled", "true");
        assertEquals(400, on.statusCode(), text(on));
        assertTrue(text(on).startsWith("Cannot enable object versioning on a container configured as source of "
                + "container syncing."), text(on));
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            HttpResponse<byte[]> h = s.head(containerPath(c));
            assertNull(header(h, "X-Versions-Enabled"), "versioning at " + s.name);
            assertNotNull(header(h, "X-Container-Sync-To"), "sync at " + s.name);
        }
        // still changeable, at both sites
        HttpResponse<byte[]> post = viaProxy(proxyA, "POST", containerPath(c), null, "X-Container-Meta-After", "yes");
        assertEquals("a=204, b=204", header(post, "X-Autosync-Sites"), text(post));
        // asked at creation (where Swift a alone would take both, sync and versioning): refused up front
        String fresh = newName("versions-new");
        HttpResponse<byte[]> put = viaProxy(proxyA, "PUT", containerPath(fresh), new byte[0], "X-Versions-Enabled", "1");
        assertEquals(400, put.statusCode(), text(put));
        assertEquals(404, SWIFT_A.head(containerPath(fresh)).statusCode());
        assertEquals(404, SWIFT_B.head(containerPath(fresh)).statusCode());
        // as Swift itself answers for a synced container, whatever the value
        HttpResponse<byte[]> off = viaProxy(proxyA, "POST", containerPath(c), null, "X-Versions-Enabled", "false");
        assertEquals(400, off.statusCode(), text(off));
        HttpResponse<byte[]> direct = SWIFT_A.send("POST", containerPath(c), "X-Versions-Enabled", "false");
        assertEquals(direct.statusCode(), off.statusCode());
        assertTrue(text(off).startsWith(text(direct)), text(off) + " / " + text(direct));
    }

    @Test
    void aContainerVersionedStraightAtSwiftStaysChangeableAndSaysItIsNotSynced() {
        String c = newName("versioned-direct");
        assertEquals(201, SWIFT_A.send("PUT", containerPath(c), "X-Versions-Enabled", "true").statusCode());
        HttpResponse<byte[]> post = viaProxy(proxyA, "POST", containerPath(c), null, "X-Container-Meta-Color", "blue");
        assertEquals(204, post.statusCode(), text(post));
        assertEquals("a=204", header(post, "X-Autosync-Sites"));
        assertTrue(header(post, "X-Autosync-Not-Synced").startsWith("object versioning is configured at a"),
                header(post, "X-Autosync-Not-Synced"));
        assertEquals("blue", header(SWIFT_A.head(containerPath(c)), "X-Container-Meta-Color"));
        assertEquals(404, SWIFT_B.head(containerPath(c)).statusCode(), "not half-made at b");
    }

    @Test
    void theOwnerSyncsAContainerPlacedAtOneSiteAsOnAPlainSwift() {
        String c = newName("solo-owner");
        HttpResponse<byte[]> put = viaProxy(proxyA, "PUT", containerPath(c), new byte[0]);
        assertEquals(201, put.statusCode(), text(put));
        assertEquals("a=201", header(put, "X-Autosync-Sites"));
        assertEquals(404, SWIFT_B.head(containerPath(c)).statusCode(), "placed at a only");
        String to = "//lab/b/AUTH_test/" + c + "-copy";
        HttpResponse<byte[]> post = viaProxy(proxyA, "POST", containerPath(c), null,
                "X-Container-Sync-To", to, "X-Container-Sync-Key", "the-owners-own-key");
        assertEquals(204, post.statusCode(), text(post));
        assertEquals(to, header(SWIFT_A.head(containerPath(c)), "X-Container-Sync-To"));
    }

    @Test
    void accountMetadataReachesEverySiteEvenWithANarrowRuleFirst() {
        String name = "X-Account-Meta-E2e-Rule";
        String value = FanOutSwiftSite.unique("rule");
        try {
            HttpResponse<byte[]> r = viaProxy(proxyA, "POST", ACCOUNT_PATH, null, name, value);
            assertEquals(204, r.statusCode(), text(r));
            assertEquals("a=204, b=204", header(r, "X-Autosync-Sites"));
            for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
                assertEquals(value, header(s.head(ACCOUNT_PATH), name), "account metadata at " + s.name);
            }
        } finally {
            viaProxy(proxyA, "POST", ACCOUNT_PATH, null, "X-Remove-Account-Meta-E2e-Rule", "x");
        }
    }

    @Test
    void anAclRemovedThroughAIsRemovedAtB() {
        String c = newName("acl");
        createThroughProxyA(c);
        for (String[] removal : new String[][] {{"X-Remove-Container-Read", "x"}, {"X-Container-Read", ""}}) {
            HttpResponse<byte[]> set = viaProxy(proxyA, "POST", containerPath(c), null, "X-Container-Read", ".r:*");
            assertEquals("a=204, b=204", header(set, "X-Autosync-Sites"), text(set));
            assertEquals(".r:*", header(SWIFT_B.head(containerPath(c)), "X-Container-Read"), "set at b");
            HttpResponse<byte[]> removed = viaProxy(proxyA, "POST", containerPath(c), null, removal);
            assertEquals("a=204, b=204", header(removed, "X-Autosync-Sites"), text(removed));
            for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
                assertNull(header(s.head(containerPath(c)), "X-Container-Read"),
                        removal[0] + ": " + removal[1] + " left the container readable at " + s.name);
            }
        }
    }

    @Test
    void aUserWithWriteAccessGainsNoOwnerRightsAtB() {
        String c = newName("acl-nonowner");
        createThroughProxyA(c);
        viaProxy(proxyA, "POST", containerPath(c), null, "X-Container-Read", "test:tester3");
        // read-write on the account: tester3 may change containers, and is not their owner
        HttpResponse<byte[]> acl = viaProxy(proxyA, "POST", ACCOUNT_PATH, null, "X-Account-Access-Control",
                "{\"read-write\":[\"test:tester3\"]}");
        assertEquals("a=204, b=204", header(acl, "X-Autosync-Sites"), text(acl));
        try {
            postAsTester3(c);
        } finally {
            viaProxy(proxyA, "POST", ACCOUNT_PATH, null, "X-Account-Access-Control", "{}"); // Swift has no X-Remove- form for it
        }
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            assertNull(header(s.head(ACCOUNT_PATH), "X-Account-Access-Control"), "account ACL left at " + s.name);
        }
    }

    private static void postAsTester3(String c) {
        HttpResponse<byte[]> login = SwiftLab.login(URI.create(LabTls.proxyUrl(proxyA.port())),
                "test:tester3", "testing3");
        String token = header(login, "X-Auth-Token");
        assertNotNull(token, "tester3 logs in");
        HttpResponse<byte[]> r = FanOutSwiftSite.send(HttpRequest.newBuilder(
                        URI.create(LabTls.proxyUrl(proxyA.port()) + containerPath(c)))
                .header("X-Auth-Token", token).header("X-Container-Read", ".r:*")
                .header("X-Container-Meta-By", "tester3")
                .method("POST", HttpRequest.BodyPublishers.noBody()));
        assertEquals(204, r.statusCode(), text(r)); // Swift's answer: the ACL is dropped in silence
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            HttpResponse<byte[]> h = s.head(containerPath(c));
            assertEquals("test:tester3", header(h, "X-Container-Read"), "tester3 made it public at " + s.name);
            assertEquals("tester3", header(h, "X-Container-Meta-By"), "ordinary metadata at " + s.name);
        }
    }

    @Test
    void accountMetadataThatWouldNotFitAtBIsRefusedBeforeAApplies() {
        // b's account holds metadata that a's does not: 89 items in all, one short of Swift's 90
        HttpResponse<byte[]> atB = SWIFT_B.head(ACCOUNT_PATH);
        long held = atB.headers().map().keySet().stream()
                .filter(k -> k.toLowerCase(Locale.ROOT).startsWith("x-account-meta-")).count();
        List<String> filler = new ArrayList<>();
        for (int i = 0; held + filler.size() < 89; i++) {
            filler.add("X-Account-Meta-E2e-Fill-" + i);
        }
        try {
            for (String f : filler) {
                assertEquals(204, SWIFT_B.send("POST", ACCOUNT_PATH, f, "x").statusCode());
            }
            String extra = "X-Account-Meta-E2e-Extra";
            HttpResponse<byte[]> r = viaProxy(proxyA, "POST", ACCOUNT_PATH, null, extra + "-1", "1", extra + "-2", "2");
            assertEquals(400, r.statusCode(), text(r));
            assertTrue(text(r).startsWith("Too many metadata items; max 90. autosync: at site b"), text(r));
            assertNull(header(SWIFT_A.head(ACCOUNT_PATH), extra + "-1"), "applied at a although b would refuse it");
            // with room made in the same request, it fits at both
            HttpResponse<byte[]> ok = viaProxy(proxyA, "POST", ACCOUNT_PATH, null, extra + "-1", "1",
                    "X-Remove-Account-Meta-E2e-Fill-0", "x");
            assertEquals("a=204, b=204", header(ok, "X-Autosync-Sites"), text(ok));
        } finally {
            for (String f : filler) {
                SWIFT_B.send("POST", ACCOUNT_PATH, "X-Remove-" + f.substring(2), "x");
            }
            viaProxy(proxyA, "POST", ACCOUNT_PATH, null, "X-Remove-Account-Meta-E2e-Extra-1", "x");
        }
    }

    @Test
    void accountDeleteIsRefusedUpFrontAndTheAccountStays() {
        HttpResponse<byte[]> r = viaProxy(proxyA, "DELETE", ACCOUNT_PATH, null);
        assertEquals(405, r.statusCode(), text(r));
        assertTrue(text(r).contains("fan-out.allow-account-delete"), text(r));
        assertEquals("text/html; charset=UTF-8", header(r, "Content-Type"));
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            assertEquals(2, s.head(ACCOUNT_PATH).statusCode() / 100, "account at " + s.name);
        }
    }

    @Test
    void anOverLongNameIsRefusedExactlyAsSwiftRefusesIt() {
        String path = containerPath("x".repeat(300));
        HttpResponse<byte[]> via = viaProxy(proxyA, "PUT", path, new byte[0]);
        HttpResponse<byte[]> direct = SWIFT_A.put(path, new byte[0]);
        assertEquals(direct.statusCode(), via.statusCode());
        assertEquals(header(direct, "Content-Type"), header(via, "Content-Type"));
        assertEquals(text(direct), text(via));
    }

    @Test
    void deletingAnEmptyContainerThroughProxyARemovesItAtBothSites() {
        String c = newName("delete");
        createThroughProxyA(c);
        HttpResponse<byte[]> r = viaProxy(proxyA, "DELETE", containerPath(c), null);
        assertEquals(204, r.statusCode(), text(r));
        assertEquals("a=204, b=204", header(r, "X-Autosync-Sites"));
        assertEquals(404, SWIFT_A.head(containerPath(c)).statusCode(), "still at a");
        assertEquals(404, SWIFT_B.head(containerPath(c)).statusCode(), "still at b");
    }

    @Test
    void deletingANonEmptyContainerIsRefusedAndKeepsBothCopies() {
        String c = newName("nonempty");
        createThroughProxyA(c);
        assertEquals(201, viaProxy(proxyA, "PUT", objectPath(c, "keep.txt"), new byte[] {1, 2, 3}).statusCode());
        // wait until the synced copy is counted at b too, so both sites hold an object
        HttpResponse<byte[]> countAtB = SWIFT_B.awaitHead(containerPath(c),
                h -> "1".equals(header(h, "X-Container-Object-Count")), SYNC_WAIT);
        assertEquals("1", header(countAtB, "X-Container-Object-Count"), "object did not reach b");

        HttpResponse<byte[]> r = viaProxy(proxyA, "DELETE", containerPath(c), null);
        assertEquals(409, r.statusCode(), text(r));
        assertTrue(text(r).contains("a (1 object)"), text(r));
        assertTrue(text(r).contains("b (1 object)"), text(r));
        assertEquals("a=not-empty, b=not-empty", header(r, "X-Autosync-Sites"));
        assertEquals(204, SWIFT_A.head(containerPath(c)).statusCode(), "container must survive at a");
        assertEquals(204, SWIFT_B.head(containerPath(c)).statusCode(), "container must survive at b");
        assertEquals(200, SWIFT_A.get(objectPath(c, "keep.txt")).statusCode());
    }

    @Test
    void forgedPeerRequestsToProxyBCreateNothing() {
        String random = newName("forged-random");
        HttpResponse<byte[]> r1 = FanOutSwiftSite.send(HttpRequest.newBuilder(
                        URI.create(LabTls.proxyUrl(proxyB.port()) + containerPath(random)))
                .header("X-Autosync-Peer-Site", "a")
                .header("X-Autosync-Peer-Timestamp", Long.toString(System.currentTimeMillis() / 1000))
                .header("X-Autosync-Peer-Nonce", "AAAAAAAAAAAAAAAAAAAAAA")
                .header("X-Autosync-Peer-Signed-Headers", "")
                .header("X-Autosync-Peer-Signature", HexFormat.of().formatHex(new byte[32]).replace('0', 'f'))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[0])));
        assertEquals(403, r1.statusCode(), text(r1));

        String unsigned = newName("forged-unsigned");
        // even with a token that is valid at b, peer headers without a signature are refused
        HttpResponse<byte[]> r2 = FanOutSwiftSite.send(HttpRequest.newBuilder(
                        URI.create(LabTls.proxyUrl(proxyB.port()) + containerPath(unsigned)))
                .header("X-Auth-Token", SWIFT_B.token())
                .header("X-Autosync-Peer-Site", "a")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[0])));
        assertEquals(403, r2.statusCode(), text(r2));

        assertEquals(404, SWIFT_B.head(containerPath(random)).statusCode(), "forged (random signature) created it");
        assertEquals(404, SWIFT_B.head(containerPath(unsigned)).statusCode(), "forged (unsigned) created it");
        assertEquals(404, SWIFT_A.head(containerPath(random)).statusCode());
    }

    @Test
    void localConsistencyStillFansOutWhenThePeerIsUp() throws InterruptedException {
        String c = newName("local-up");
        HttpResponse<byte[]> r = viaProxy(proxyA, "PUT", containerPath(c), new byte[0],
                "X-Autosync-Consistency", "local");
        assertEquals(201, r.statusCode(), text(r));
        // answered once a applied it and b's leg was recorded; b's leg goes on (or has already landed)
        String sites = header(r, "X-Autosync-Sites");
        assertTrue(sites.equals("a=201, b=pending") || sites.equals("a=201, b=201"), sites);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (SWIFT_B.head(containerPath(c)).statusCode() != 204 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(204, SWIFT_B.head(containerPath(c)).statusCode());
    }

    /** Site b "down" without touching the shared lab: a second site-a proxy whose b is a closed port. */
    @Test
    void peerDownFailsAllButSatisfiesLocal() throws Exception {
        int port = freePorts(1)[0];
        String closed = LabTls.proxyUrl(closedPort());
        // its records in an account of their own: the lab's proxy a would repair them at the real b
        try (AutosyncProxy broken = AutosyncProxy.start(Settings.fromConfig(ConfigFactory.parseString(
                "autosync.repair.account = AUTH_autosync_broken_a").withFallback(
                hocon("a", port, SWIFT_A.port(), LabTls.proxyUrl(port), closed, SYNC_SECRET, PEER_SECRET))))) {
            String c1 = newName("down-all");
            HttpResponse<byte[]> all = viaProxy(broken, "PUT", containerPath(c1), new byte[0]);
            assertEquals(503, all.statusCode(), text(all));
            assertEquals("a=201, b=connect-refused", header(all, "X-Autosync-Sites"));
            assertTrue(text(all).contains("b: connection refused"), text(all));
            // failed calls and health checks in a row: b is down, and not tried any more
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!broken.metrics().scrape().contains("autosync_peer_up{site=\"b\"} 0.0")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            HttpResponse<byte[]> again = viaProxy(broken, "PUT", containerPath(c1), new byte[0]);
            assertEquals(503, again.statusCode(), text(again));
            assertEquals("a=202, b=down", header(again, "X-Autosync-Sites"));
            assertEquals(404, SWIFT_B.head(containerPath(c1)).statusCode());

            String c2 = newName("down-local");
            HttpResponse<byte[]> local = viaProxy(broken, "PUT", containerPath(c2), new byte[0],
                    "X-Autosync-Consistency", "local");
            assertTrue(local.statusCode() == 201 || local.statusCode() == 202, local.statusCode() + " " + text(local));
            assertEquals("a=" + local.statusCode() + ", b=down", header(local, "X-Autosync-Sites"));
            assertEquals("b", header(local, "X-Autosync-Repair-Pending"));
            assertEquals(204, SWIFT_A.head(containerPath(c2)).statusCode());
        }
    }

    /**
     * Swift clients send UTF-8 metadata values as raw bytes (python-swiftclient does). Through the
     * fan-out they must arrive byte for byte at both sites, and the peer must accept the request.
     */
    @Test
    void utf8MetadataPostedThroughProxyAReachesBothSitesIntact() throws Exception {
        String c = newName("utf8meta");
        createThroughProxyA(c);
        String value = "caf\u00e9 \u65e5\u672c";
        String request = "POST " + containerPath(c) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: "
                + SWIFT_A.token() + "\r\nX-Container-Meta-Color: " + value + "\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n";
        RawClient.Head head;
        try (RawClient client = new RawClient(LabTls.socket(proxyA.port()))) {
            client.send(request.getBytes(StandardCharsets.UTF_8));
            head = client.readHead();
        }
        // the JDK client gives header bytes back one char per byte
        String expected = new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String atA = header(SWIFT_A.head(containerPath(c)), "X-Container-Meta-Color");
        String atB = header(SWIFT_B.head(containerPath(c)), "X-Container-Meta-Color");
        String seen = "status " + head.status() + ", X-Autosync-Sites: " + head.header("X-Autosync-Sites")
                + ", at a: " + utf8(atA) + ", at b: " + utf8(atB);
        assertEquals(expected, atA, "metadata at a (" + seen + ")");
        assertEquals(expected, atB, "metadata at b (" + seen + ")");
        assertEquals(204, head.status(), seen);
    }

    private static String utf8(String latin1) {
        return latin1 == null ? null : new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Prints, does not assert, the cost of the fan-out: median of 20 container PUTs each way. */
    @Test
    void latencyOfContainerPutThroughProxyVersusDirect() {
        // warm up connections and the peer's service token
        String warm = newName("lat-warm");
        createThroughProxyA(warm);
        assertEquals(202, SWIFT_A.put(containerPath(warm), new byte[0]).statusCode());

        List<Long> viaProxy = new ArrayList<>();
        List<Long> direct = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String c = newName("lat-proxy-" + i);
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = viaProxy(proxyA, "PUT", containerPath(c), new byte[0]);
            viaProxy.add(System.nanoTime() - t0);
            assertEquals(201, r.statusCode(), text(r));
            assertEquals("a=201, b=201", header(r, "X-Autosync-Sites"));

            String d = newName("lat-direct-" + i);
            t0 = System.nanoTime();
            HttpResponse<byte[]> s = SWIFT_A.put(containerPath(d), new byte[0]);
            direct.add(System.nanoTime() - t0);
            assertEquals(201, s.statusCode());
        }
        double medProxy = median(viaProxy);
        double medDirect = median(direct);
        System.out.printf(Locale.ROOT,
                "LATENCY: container PUT median over 20: through proxy a with fan-out to b = %.1f ms, "
                        + "direct to Swift a = %.1f ms (fan-out adds %.1f ms, x%.2f)%n",
                medProxy, medDirect, medProxy - medDirect, medProxy / medDirect);
    }

    private static double median(List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int n = s.size();
        double mid = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
        return mid / 1_000_000.0;
    }
}
