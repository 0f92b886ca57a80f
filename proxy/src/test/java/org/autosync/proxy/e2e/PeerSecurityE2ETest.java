package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.PeerSigner;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.e2e.SecurityWire.Request;
import org.autosync.proxy.e2e.SecurityWire.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The security suite on the real lab. Proxy b stands in front of Swift b (8082) as site b of
 * sites a, b; proxy a in front of Swift a (8081) reaches b through {@link SecurityRelay}, a
 * recording man in the middle. Every forged, altered, stale, replayed or over-reaching peer
 * request goes to proxy b; after each one the test looks at Swift b directly, with its own
 * test:tester token, and checks that nothing was created, changed or deleted. The attempts are
 * counted and the class ends by printing {@code SECURITY: N forged or replayed attempts, M got
 * through}; M must be 0.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class PeerSecurityE2ETest {
    private static final String PEER_SECRET = "security-e2e-peer-secret-5f3a9c01d7";
    private static final String SYNC_SECRET = "security-e2e-sync-key-secret-8e21b4";
    /** Short, so that "after the window" takes seconds. */
    private static final Duration SKEW = Duration.ofSeconds(5);

    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static final String ACCOUNT = "/v1/" + FanOutSwiftSite.ACCOUNT;

    private static AutosyncProxy proxyA;
    private static AutosyncProxy proxyB;
    private static SecurityRelay relay;

    /** The container at b every attack aims at, with metadata and one object. */
    private static String victim;
    private static final byte[] VICTIM_DATA = "the victim object; nobody may read or change it".getBytes(StandardCharsets.UTF_8);
    /** Containers that must never appear at b. */
    private static final Set<String> MUST_NOT_EXIST = new java.util.LinkedHashSet<>();

    private static int attempts;
    private static int gotThrough;
    private final List<String> failures = new ArrayList<>();

    // ------------------------------------------------------------------ set-up

    @BeforeAll
    static void startProxies() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        for (int attempt = 1; ; attempt++) {
            int[] ports = FanOutE2ETest.freePorts(2);
            String urlA = LabTls.proxyUrl(ports[0]);
            String urlB = LabTls.proxyUrl(ports[1]);
            try {
                proxyB = AutosyncProxy.start(settings("b", ports[1], SWIFT_B.port(), urlA, urlB));
                relay = new SecurityRelay(proxyB.port());
                proxyA = AutosyncProxy.start(settings("a", ports[0], SWIFT_A.port(), urlA,
                        LabTls.proxyUrl(relay.port())));
                break;
            } catch (RuntimeException e) { // a picked port was taken in between
                stopProxies();
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        victim = name("victim");
        createVictim();
    }

    @AfterAll
    static void stopProxies() throws Exception {
        if (proxyA != null) {
            proxyA.close();
            proxyA = null;
        }
        if (relay != null) {
            relay.close();
            relay = null;
        }
        if (proxyB != null) {
            proxyB.close();
            proxyB = null;
        }
    }

    @AfterAll
    static void report() {
        SWIFT_B.send(SWIFT_B.authed(ACCOUNT).POST(HttpRequest.BodyPublishers.noBody())
                .header("X-Remove-Account-Meta-Secprobe", "x"));
        if (victim != null) {
            SWIFT_B.track(victim);
        }
        MUST_NOT_EXIST.forEach(SWIFT_B::track);
        SWIFT_A.cleanup();
        SWIFT_B.cleanup();
        String line = "SECURITY: " + attempts + " forged or replayed attempts, " + gotThrough + " got through";
        System.out.println(line);
        assertEquals(0, gotThrough, line);
    }

    @BeforeEach
    void clearRelay() {
        if (relay != null) {
            relay.clear();
            relay.swallowNext(0);
        }
    }

    @AfterEach
    void cleanupAndReport() {
        SWIFT_A.cleanup();
        SWIFT_B.cleanup(); // the victim is not tracked: it stays until the end
        if (!failures.isEmpty()) {
            fail(failures.size() + " attempt(s) got through:\n  " + String.join("\n  ", failures));
        }
    }

    static Settings settings(String site, int listenPort, int swiftPort, String urlA, String urlB) {
        // the fan-out tests' pair, with this suite's own secrets and a short skew. No repair pass
        // during the attempts: a's worker would rightly create at b what a held-back leg left (a
        // PUT that a applied), in the middle of attempts that must change nothing at b. So passes
        // far apart, and b never counted down (its return would wake the worker at once)
        return Settings.fromConfig(ConfigFactory.parseString("autosync.peer-max-skew = " + SKEW.getSeconds() + "s\n"
                        + "autosync.repair { interval = 10m, max-backoff = 10m }\n"
                        + "autosync.peer-health.open-after = 100")
                .withFallback(FanOutE2ETest.hocon(site, listenPort, swiftPort, urlA, urlB, SYNC_SECRET, PEER_SECRET)));
    }

    private static String name(String hint) {
        return "sec-" + hint + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** A container name that must never exist at b (checked after every attempt). */
    private static String forbidden(String hint) {
        String c = name(hint);
        MUST_NOT_EXIST.add(c);
        SWIFT_B.track(c);
        SWIFT_A.track(c);
        return c;
    }

    private static PeerSigner signer() {
        return signer("a", Duration.ZERO);
    }

    private static PeerSigner signer(String site, Duration offset) {
        return new PeerSigner(site, PEER_SECRET.getBytes(StandardCharsets.UTF_8), Clock.offset(Clock.systemUTC(), offset));
    }

    // ------------------------------------------------------------------ Swift b, directly

    private static HttpResponse<byte[]> atB(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = SWIFT_B.authed(path).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    private static void createVictim() {
        int s = atB("PUT", containerPath(victim), new byte[0], "X-Container-Meta-Color", "green",
                "X-Container-Meta-Owner", "bob").statusCode();
        assertTrue(s == 201 || s == 202, "victim container: " + s);
        assertEquals(201, atB("PUT", objectPath(victim, "o"), VICTIM_DATA, "X-Object-Meta-Kept", "yes").statusCode());
    }

    /** Puts the victim back as created, after an attempt that got through changed it. */
    private static void restoreVictim() {
        removeAtB(victim);
        MUST_NOT_EXIST.forEach(PeerSecurityE2ETest::removeAtB);
        SWIFT_B.send(SWIFT_B.authed(ACCOUNT).POST(HttpRequest.BodyPublishers.noBody())
                .header("X-Remove-Account-Meta-Secprobe", "x"));
        createVictim();
    }

    private static void removeAtB(String c) {
        for (int i = 0; i < 20; i++) {
            for (String o : SWIFT_B.listObjects(c)) {
                SWIFT_B.delete(objectPath(c, o));
            }
            int st = SWIFT_B.delete(containerPath(c)).statusCode();
            if (st == 204 || st == 404) {
                return;
            }
            SwiftLab.sleep(250);
        }
        throw new AssertionError("cannot remove " + c + " at b");
    }

    private static final List<String> CONTAINER_STATE = List.of("x-container-read", "x-container-write",
            "x-container-sync-to", "x-container-sync-key", "x-versions-location", "x-history-location",
            "x-container-object-count");

    /** What must not change at b: the victim's metadata, ACLs, sync headers and objects, the account's metadata. */
    private static Map<String, String> stateAtB() {
        Map<String, String> s = new TreeMap<>();
        HttpResponse<byte[]> c = SWIFT_B.head(containerPath(victim));
        s.put("victim status", Integer.toString(c.statusCode()));
        c.headers().map().forEach((k, v) -> {
            String n = k.toLowerCase(Locale.ROOT);
            if (n.startsWith("x-container-meta-") || CONTAINER_STATE.contains(n)) {
                s.put("victim " + n, String.join(",", v));
            }
        });
        s.put("victim objects", SWIFT_B.listObjects(victim).toString());
        HttpResponse<byte[]> o = SWIFT_B.get(objectPath(victim, "o"));
        s.put("object status", Integer.toString(o.statusCode()));
        s.put("object body", text(o));
        s.put("object meta", String.valueOf(header(o, "X-Object-Meta-Kept")) + "/"
                + header(o, "X-Object-Meta-Color"));
        HttpResponse<byte[]> a = SWIFT_B.head(ACCOUNT);
        a.headers().map().forEach((k, v) -> {
            String n = k.toLowerCase(Locale.ROOT);
            if (n.startsWith("x-account-meta-") || n.equals("x-account-access-control")) {
                s.put("account " + n, String.join(",", v));
            }
        });
        for (String c2 : MUST_NOT_EXIST) {
            int st = SWIFT_B.head(containerPath(c2)).statusCode();
            if (st != 404) {
                s.put("forbidden container " + c2, Integer.toString(st));
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ the tally

    /**
     * One attempt: it must be answered 403 (400 for a malformed request) and leave b as it was.
     * Does not stop at the first failure, so that the count is complete.
     */
    private void attempt(String what, Supplier<Response> send) {
        attempt(what, send, null);
    }

    private void attempt(String what, Supplier<Response> send, String reasonInBody) {
        Map<String, String> before = stateAtB();
        Response r = send.get();
        Map<String, String> after = stateAtB();
        attempts++;
        List<String> wrong = new ArrayList<>();
        if (r.status() != 403 && r.status() != 400) {
            wrong.add("answered " + r);
        } else if (reasonInBody != null && !r.text().contains(reasonInBody)) {
            wrong.add("refused, but not as '" + reasonInBody + "': " + r);
        }
        if (!after.equals(before)) {
            wrong.add("Swift b changed: " + diff(before, after));
        }
        if (!wrong.isEmpty()) {
            if (r.status() != 403 && r.status() != 400 || !after.equals(before)) {
                gotThrough++;
            }
            failures.add(what + ": " + String.join("; ", wrong));
            restoreVictim();
        }
    }

    private static String diff(Map<String, String> before, Map<String, String> after) {
        List<String> d = new ArrayList<>();
        Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            String x = before.get(k);
            String y = after.get(k);
            if (!java.util.Objects.equals(x, y)) {
                d.add(k + ": " + x + " -> " + y);
            }
        }
        return String.join(", ", d);
    }

    private static Response toB(Request r) {
        return SecurityWire.send(proxyB.port(), r);
    }

    private static Response toB(byte[] raw) {
        return SecurityWire.send(proxyB.port(), raw);
    }

    /** A container POST as peer a sends it (sync headers toward a, metadata). */
    private static Request post(PeerSigner s, String container, String color) {
        return SecurityWire.signed(s, "POST", containerPath(container), new byte[0],
                "X-Container-Meta-Color", color,
                "X-Container-Sync-To", "//lab/a/AUTH_test/" + container,
                "X-Container-Sync-Key", "0123456789abcdef0123456789abcdef");
    }

    /** A container POST with metadata only. */
    private static Request meta(PeerSigner s, String container, String color) {
        return SecurityWire.signed(s, "POST", containerPath(container), new byte[0], "X-Container-Meta-Color", color);
    }

    private static Request put(PeerSigner s, String container) {
        return SecurityWire.signed(s, "PUT", containerPath(container), new byte[0],
                "X-Container-Meta-Color", "blue",
                "X-Container-Sync-To", "//lab/a/AUTH_test/" + container,
                "X-Container-Sync-Key", "0123456789abcdef0123456789abcdef");
    }

    private static Request del(PeerSigner s, String path) {
        return SecurityWire.signed(s, "DELETE", path, null);
    }

    // ------------------------------------------------------------------ 1. forged

    @Test
    void forgedPeerRequestsChangeNothingAtB() {
        String v = victim;
        Request goodDelete = del(signer(), containerPath(v));
        PeerSigner wrong = new PeerSigner("a", "security-e2e-peer-secret-5f3a9c01dX".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC());
        String t1 = forbidden("unsigned");
        attempt("peer site header alone, with a token valid at b", () -> toB(Request.of("PUT", containerPath(t1))
                .add("X-Auth-Token", SWIFT_B.token()).add(PeerHeaders.SITE, "a")));
        String t2 = forbidden("nosig");
        attempt("all peer headers but the signature", () -> toB(put(signer(), t2).set(PeerHeaders.SIGNATURE, null)));
        attempt("random signature on a DELETE", () -> toB(goodDelete.set(PeerHeaders.SIGNATURE, "5a".repeat(32))));
        attempt("signature of another request on a DELETE", () -> toB(goodDelete.set(PeerHeaders.SIGNATURE,
                del(signer(), containerPath(v) + "x").header(PeerHeaders.SIGNATURE))));
        attempt("wrong secret, POST", () -> toB(post(wrong, v, "red")));
        attempt("wrong secret, DELETE", () -> toB(del(wrong, containerPath(v))));
        String t3 = forbidden("wrongsecret");
        attempt("wrong secret, PUT", () -> toB(put(wrong, t3)));
        attempt("unknown origin site", () -> toB(del(signer("zz", Duration.ZERO), containerPath(v))));
        attempt("origin b (itself)", () -> toB(del(signer("b", Duration.ZERO), containerPath(v))));
        attempt("origin 'A'", () -> toB(post(signer("A", Duration.ZERO), v, "red")));
        attempt("malformed nonce", () -> toB(goodDelete.set(PeerHeaders.NONCE, "x")));
        attempt("malformed timestamp", () -> toB(goodDelete.set(PeerHeaders.TIMESTAMP, "-1")));
    }

    // ------------------------------------------------------------------ 2. altered after signing

    @Test
    void requestsAlteredAfterSigningChangeNothingAtB() {
        String v = victim;
        PeerSigner a = signer();
        Request head = SecurityWire.signed(a, "HEAD", containerPath(v), null);
        attempt("HEAD signature used for DELETE", () -> toB(head.method("DELETE")));
        attempt("POST signature used for DELETE", () -> toB(post(a, v, "green").method("DELETE")));
        String y = forbidden("y");
        String x = forbidden("x");
        attempt("PUT for container x used for container y", () -> {
            Request forX = put(a, x);
            return toB(forX.target(containerPath(y)));
        });
        String z = forbidden("z");
        attempt("DELETE for (absent) container z used for the victim", () -> toB(del(a, containerPath(z))
                .target(containerPath(v))));
        attempt("POST for z used for the victim", () -> toB(post(a, z, "red").target(containerPath(v))));
        String q = forbidden("query");
        attempt("query added", () -> toB(put(a, q).target(containerPath(q) + "?x=1")));
        String q2 = forbidden("query2");
        attempt("query removed", () -> {
            Request r = SecurityWire.signed(a, "PUT", containerPath(q2) + "?x=1", new byte[0]);
            return toB(r.target(containerPath(q2)));
        });
        attempt("X-Container-Meta-Color changed", () -> toB(post(a, v, "green").set("X-Container-Meta-Color", "red")));
        attempt("X-Container-Sync-To changed", () -> toB(post(a, v, "green")
                .set("X-Container-Sync-To", "//lab/b/AUTH_test/" + v)));
        attempt("X-Container-Sync-Key changed", () -> toB(post(a, v, "green")
                .set("X-Container-Sync-Key", "ffffffffffffffffffffffffffffffff")));
        attempt("X-Autosync-Consistency changed", () -> toB(SecurityWire.signed(a, "POST", containerPath(v), new byte[0],
                "X-Container-Meta-Color", "red", "X-Autosync-Consistency", "all")
                .set("X-Autosync-Consistency", "local")));
        attempt("signed header removed from the list and the request", () -> toB(post(a, v, "red")
                .set("X-Container-Sync-To", null).set(PeerHeaders.SIGNED_HEADERS, "x-container-meta-color,x-container-sync-key")));
        attempt("timestamp re-stamped", () -> {
            Request r = post(a, v, "red");
            return toB(r.set(PeerHeaders.TIMESTAMP, Long.toString(Long.parseLong(r.header(PeerHeaders.TIMESTAMP)) - 1)));
        });
    }

    /** A man in the middle adds a header the sender never signed. */
    @Test
    void headersAddedAfterSigningChangeNothingAtB() {
        String v = victim;
        PeerSigner a = signer();
        attempt("X-Container-Read: .r:* added to a signed POST", () -> toB(meta(a, v, "green")
                .add("X-Container-Read", ".r:*")));
        attempt("a second X-Container-Meta-Color added to a signed POST", () -> toB(meta(a, v, "green")
                .add("X-Container-Meta-Color", "red")));
        attempt("X-Remove-Container-Meta-Owner added to a signed POST", () -> toB(meta(a, v, "green")
                .add("X-Remove-Container-Meta-Owner", "x")));
        attempt("X-Container-Sync-To added to a signed POST", () -> toB(meta(a, v, "green")
                .add("X-Container-Sync-To", "//lab/a/AUTH_test/" + v).add("X-Container-Sync-Key", "attacker-key")));
        attempt("X-Account-Meta-Secprobe added to a signed account POST", () -> toB(SecurityWire.signed(a, "POST",
                ACCOUNT, new byte[0]).add("X-Account-Meta-Secprobe", "added-in-flight")));
    }

    // ------------------------------------------------------------------ 3. time and replay

    @Test
    void staleAndReplayedRequestsChangeNothingAtB() {
        String v = victim;
        for (Duration off : List.of(SKEW.plusSeconds(3).negated(), Duration.ofMinutes(-10), SKEW.plusSeconds(3),
                Duration.ofDays(1))) {
            attempt("stamped " + off + " from now, POST", () -> toB(post(signer("a", off), v, "red")), "stale");
            attempt("stamped " + off + " from now, DELETE", () -> toB(del(signer("a", off), containerPath(v))), "stale");
        }
        // a genuine request, applied once, then replayed in several disguises
        Request genuine = meta(signer(), v, "blue");
        Response first = toB(genuine);
        assertEquals(204, first.status(), "the genuine request must be applied: " + first);
        assertEquals("blue", header(SWIFT_B.head(containerPath(v)), "X-Container-Meta-Color"));
        assertEquals(204, atB("POST", containerPath(v), null, "X-Container-Meta-Color", "green").statusCode());
        attempt("replay as captured", () -> toB(genuine), "replayed");
        attempt("replay, signature upper-cased", () -> toB(genuine.set(PeerHeaders.SIGNATURE,
                genuine.header(PeerHeaders.SIGNATURE).toUpperCase(Locale.ROOT))), "replayed");
        attempt("replay, method lower-cased", () -> toB(genuine.method("post")));
        attempt("replay, with an extra header", () -> toB(genuine.add("X-Trace", "1")));
        attempt("replay as DELETE", () -> toB(genuine.method("DELETE")));
    }

    // ------------------------------------------------------------------ 4. a verified peer asking for too much

    @Test
    void aVerifiedPeerCannotTouchObjectsOrReadAtB() {
        String v = victim;
        PeerSigner a = signer();
        attempt("PUT an object", () -> toB(SecurityWire.signed(a, "PUT", objectPath(v, "o2"), "new".getBytes())));
        attempt("PUT over the victim object", () -> toB(SecurityWire.signed(a, "PUT", objectPath(v, "o"),
                "overwritten".getBytes())));
        Response[] got = new Response[1];
        attempt("GET an object", () -> got[0] = toB(SecurityWire.signed(a, "GET", objectPath(v, "o"), null)));
        assertTrue(!got[0].text().contains("victim object"), "object content leaked: " + got[0]);
        attempt("HEAD an object", () -> toB(SecurityWire.signed(a, "HEAD", objectPath(v, "o"), null)));
        attempt("POST an object", () -> toB(SecurityWire.signed(a, "POST", objectPath(v, "o"), new byte[0],
                "X-Object-Meta-Color", "red")));
        attempt("DELETE an object", () -> toB(del(a, objectPath(v, "o"))));
        attempt("DELETE an object via %2F", () -> toB(del(a, containerPath(v) + "%2Fo")));
        attempt("COPY an object", () -> toB(SecurityWire.signed(a, "COPY", objectPath(v, "o"), null,
                "Destination", v + "/o3")));
        // JSON listings are a peer's to read (repair compares them); any other form of GET is not
        attempt("GET the container listing as text", () -> toB(SecurityWire.signed(a, "GET", containerPath(v),
                null)));
        attempt("GET the container listing as a manifest", () -> toB(SecurityWire.signed(a, "GET",
                containerPath(v) + "?format=json&multipart-manifest=get", null)));
        attempt("GET the account listing as text", () -> got[0] = toB(SecurityWire.signed(a, "GET", ACCOUNT, null)));
        assertTrue(!got[0].text().contains(v), "listing leaked: " + got[0]);
        attempt("lower-case delete", () -> toB(SecurityWire.signed(a, "delete", containerPath(v), null)));
        String t = forbidden("extract");
        byte[] tar = SecurityTar.oneFile("pwned.txt", "pwned".getBytes(StandardCharsets.UTF_8));
        attempt("objects by bulk extract-archive (container PUT with a query)", () -> toB(SecurityWire.signed(a, "PUT",
                containerPath(t) + "?extract-archive=tar", tar)));
        attempt("objects by bulk extract-archive into the victim", () -> toB(SecurityWire.signed(a, "PUT",
                containerPath(v) + "?extract-archive=tar", tar)));
        attempt("objects by bulk-delete (account POST with a query)", () -> toB(SecurityWire.signed(a, "POST",
                ACCOUNT + "?bulk-delete", (v + "/o\n").getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain")));
    }

    // ------------------------------------------------------------------ 5. captured on the wire between a and b

    private static HttpResponse<byte[]> viaProxyA(String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(LabTls.proxyUrl(proxyA.port()) + path))
                .timeout(Duration.ofSeconds(60))
                .header("X-Auth-Token", SWIFT_A.token())
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofByteArray(new byte[0])
                        : HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    /** A container of this test, created at a and b through proxy a (so with sync headers). */
    private static String createdThroughProxyA(String hint) {
        String c = name(hint);
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        HttpResponse<byte[]> r = viaProxyA("PUT", containerPath(c), "X-Container-Meta-Color", "blue");
        assertEquals(201, r.statusCode(), text(r));
        assertEquals("a=201, b=201", header(r, "X-Autosync-Sites"));
        return c;
    }

    /** The state of one container at b, as its owner sees it. */
    private static String containerAtB(String c) {
        HttpResponse<byte[]> h = SWIFT_B.head(containerPath(c));
        return h.statusCode() + " color=" + header(h, "X-Container-Meta-Color") + " read=" + header(h, "X-Container-Read")
                + " sync-to=" + header(h, "X-Container-Sync-To") + " sync-key=" + header(h, "X-Container-Sync-Key");
    }

    private void attemptOn(String c, String what, Supplier<Response> send, String reasonInBody) {
        String before = containerAtB(c);
        Response r = send.get();
        String after = containerAtB(c);
        attempts++;
        List<String> wrong = new ArrayList<>();
        boolean refused = r.status() == 403 || r.status() == 400;
        if (!refused) {
            wrong.add("answered " + r);
        } else if (reasonInBody != null && !r.text().contains(reasonInBody)) {
            wrong.add("refused, but not as '" + reasonInBody + "': " + r);
        }
        if (!after.equals(before)) {
            wrong.add("container " + c + " at b changed: " + before + " -> " + after);
        }
        if (!refused || !after.equals(before)) {
            gotThrough++;
        }
        if (!wrong.isEmpty()) {
            failures.add(what + ": " + String.join("; ", wrong));
        }
    }

    @Test
    void aCapturedPeerPutReplayedInsideAndAfterTheWindowDoesNothing() throws Exception {
        String c = createdThroughProxyA("replay-put");
        long signedAt = System.nanoTime();
        byte[] captured = relay.last("PUT " + containerPath(c) + " ");
        assertTrue(SecurityRelay.header(captured, PeerHeaders.SIGNATURE) != null, "not a signed peer request");
        assertEquals("blue", header(SWIFT_B.head(containerPath(c)), "X-Container-Meta-Color"));

        // (i) inside the window: the state at b changes, then the captured bytes come back
        assertEquals(204, atB("POST", containerPath(c), null, "X-Container-Meta-Color", "red").statusCode());
        attemptOn(c, "captured PUT replayed inside the window (meta changed to red at b)", () -> toB(captured),
                "replayed");
        assertEquals(204, atB("DELETE", containerPath(c), null).statusCode());
        attemptOn(c, "captured PUT replayed inside the window (container deleted at b)", () -> toB(captured),
                "replayed");
        Duration used = Duration.ofNanos(System.nanoTime() - signedAt);
        assertTrue(used.compareTo(SKEW.minusSeconds(1)) < 0, "the in-window replays took " + used
                + ", too close to the skew of " + SKEW + " to prove anything");

        // (ii) after the window, and after the nonce cache has forgotten the nonce (2 * skew)
        assertEquals(201, atB("PUT", containerPath(c), new byte[0], "X-Container-Meta-Color", "red").statusCode());
        for (Duration wait : List.of(SKEW.plusSeconds(2), SKEW.multipliedBy(2).plusSeconds(2))) {
            Thread.sleep(Math.max(0, wait.minus(Duration.ofNanos(System.nanoTime() - signedAt)).toMillis()));
            attemptOn(c, "captured PUT replayed " + wait.getSeconds() + " s after signing", () -> toB(captured), "stale");
        }
        assertEquals("red", header(SWIFT_B.head(containerPath(c)), "X-Container-Meta-Color"));
    }

    @Test
    void aCapturedPeerDeleteAndHeadReplayedDoNothing() {
        String c = createdThroughProxyA("replay-del");
        relay.clear();
        HttpResponse<byte[]> d = viaProxyA("DELETE", containerPath(c));
        assertEquals(204, d.statusCode(), text(d));
        assertEquals("a=204, b=204", header(d, "X-Autosync-Sites"));
        byte[] capturedHead = relay.last("HEAD " + containerPath(c) + " ");
        byte[] capturedDelete = relay.last("DELETE " + containerPath(c) + " ");
        assertEquals(201, atB("PUT", containerPath(c), new byte[0], "X-Container-Meta-Color", "red").statusCode());
        attemptOn(c, "captured DELETE replayed (container recreated at b)", () -> toB(capturedDelete), "replayed");
        attemptOn(c, "captured HEAD replayed as DELETE", () -> toB(SecurityRelay.replace(capturedHead, "HEAD ", "DELETE ")),
                null);
        assertEquals(204, SWIFT_B.head(containerPath(c)).statusCode());
    }

    /**
     * The man in the middle holds a request back, so its nonce is unused at b, and sends it
     * altered instead: the signature must catch every change that matters.
     */
    @Test
    void aHeldBackPeerRequestAlteredByTheManInTheMiddleDoesNothing() {
        // a HEAD held back, then sent as DELETE
        String c = createdThroughProxyA("held-head");
        relay.clear();
        relay.swallowNext(1);
        HttpResponse<byte[]> d = viaProxyA("DELETE", containerPath(c));
        // b's HEAD was held back, so a cannot tell whether b is empty: every copy is kept, the
        // delete waits for b (Deletes across sites)
        assertEquals(202, d.statusCode(), text(d));
        assertEquals(204, SWIFT_A.head(containerPath(c)).statusCode(), "a keeps its copy");
        byte[] head = relay.last("HEAD " + containerPath(c) + " ");
        attemptOn(c, "held-back HEAD sent as DELETE", () -> toB(SecurityRelay.replace(head, "HEAD ", "DELETE ")),
                "bad signature");
        // the held-back HEAD itself is genuine and unused: it still verifies (so the refusal above was the signature's)
        assertEquals(204, toB(head).status(), "the captured HEAD is genuine");

        // a PUT for x held back, then sent for y, then with a header added
        String x = name("held-x");
        String y = x.substring(0, x.length() - 1) + (x.endsWith("0") ? "1" : "0");
        for (String n : List.of(x, y)) {
            SWIFT_A.track(n);
            SWIFT_B.track(n);
            MUST_NOT_EXIST.add(n);
        }
        relay.swallowNext(1);
        HttpResponse<byte[]> p = viaProxyA("PUT", containerPath(x), "X-Container-Meta-Color", "blue");
        assertEquals(503, p.statusCode(), text(p));
        byte[] put = relay.last("PUT " + containerPath(x) + " ");
        attempt("held-back PUT for x sent for y", () -> toB(SecurityRelay.replace(put, containerPath(x) + " ",
                containerPath(y) + " ")));
        attempt("held-back PUT with X-Container-Meta-Color changed", () -> toB(SecurityRelay.replace(put,
                "blue", "red!")));
        attempt("held-back PUT with X-Container-Read: .r:* added", () -> toB(SecurityRelay.addHeader(put,
                "X-Container-Read", ".r:*")));
        MUST_NOT_EXIST.remove(x);
        MUST_NOT_EXIST.remove(y);
    }
}
