package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A ring of three real Swift sites (the lab started with {@code SWIFT_LAB_SITES="a b c"}) with
 * the middle one down: what is written at the first site still reaches the third, because a's
 * proxy routes a's copy around b; once b is back a's copy syncs through b again, and b gets what
 * it missed.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class RingAroundADownSiteE2ETest {
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static final FanOutSwiftSite SWIFT_C = new FanOutSwiftSite("c", URI.create("http://127.0.0.1:8083"));
    private static final Duration SYNCED_WITHIN = Duration.ofSeconds(60);
    private static final List<AutosyncProxy> PROXIES = new ArrayList<>();
    private static FanOutSwiftSite throughA;

    @BeforeAll
    static void startRing() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        if (!reachable(SWIFT_C)) {
            throw new AssertionError("the lab's third site is not up at " + SWIFT_C.base
                    + ": start the lab with SWIFT_LAB_SITES=\"a b c\" scripts/swift-lab up (scripts/test does)");
        }
        int[] ports = FanOutE2ETest.freePorts(3);
        String[] urls = new String[3];
        for (int i = 0; i < 3; i++) {
            urls[i] = "http://127.0.0.1:" + ports[i];
        }
        try {
            for (int i = 0; i < 3; i++) {
                PROXIES.add(AutosyncProxy.start(settings("abc".substring(i, i + 1), ports[i], 8081 + i, urls)));
            }
        } catch (Exception | Error e) {
            stopRing();
            throw e;
        }
        throughA = new FanOutSwiftSite("proxy a", URI.create(urls[0]));
    }

    @AfterAll
    static void stopRing() {
        PROXIES.forEach(AutosyncProxy::close);
        PROXIES.clear();
        List<String> problems = new ArrayList<>();
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B, SWIFT_C)) {
            try {
                s.cleanup();
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("; ", problems));
        }
    }

    private static boolean reachable(FanOutSwiftSite s) {
        try {
            s.assertUp();
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Three sites; containers named ring-* of AUTH_test live at all three, everything else as usual. */
    private static Settings settings(String site, int port, int swift, String[] urls) {
        return Settings.fromConfig(ConfigFactory.parseString("""
                autosync {
                  listen = "127.0.0.1:%d"
                  admin-listen = "127.0.0.1:0"
                  local-cluster = "http://127.0.0.1:%d"
                  event-loop-threads = 2
                  site = %s
                  sites {
                    a { url = "%s", realm-cluster = a }
                    b { url = "%s", realm-cluster = b }
                    c { url = "%s", realm-cluster = c }
                  }
                  sync-realm = lab
                  sync-key-secret = "ring-e2e-sync-key-secret-0001"
                  peer-secret = "ring-e2e-peer-secret-000000001"
                  service-credentials { auth-url = "http://127.0.0.1:%d/auth/v1.0", user = "admin:admin", key = admin }
                  placement {
                    default = [a, b]
                    rules = [ { account = AUTH_test, container = "ring-*", sites = [a, b, c] } ]
                  }
                  fan-out { connect-timeout = 2s, response-timeout = 20s }
                  peer-health { interval = 500ms, open-after = 2 }
                  ring { detour-after = 2s, return-after = 2s, rewire-rate = 50 }
                  reconcile { interval = 0, accounts = [AUTH_test] }
                  canary.interval = 0
                }
                """.formatted(port, swift, site, urls[0], urls[1], urls[2], swift)));
    }

    private static String syncTo(FanOutSwiftSite s, String container) {
        HttpResponse<byte[]> r = s.head(containerPath(container));
        assertEquals(204, r.statusCode(), "HEAD " + container + " at " + s.name + ": " + text(r));
        return header(r, "X-Container-Sync-To");
    }

    private static void awaitSyncTo(FanOutSwiftSite s, String container, String want, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        String now;
        while (!(now = syncTo(s, container)).equals(want)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("site " + s.name + "'s copy of " + container + " syncs to " + now
                        + ", not " + want + ", after " + max + "; ring status at a: " + ringStatus());
            }
            Thread.sleep(250);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object ringStatus() {
        try {
            Map<String, Object> status = PROXIES.get(0).federation().status().get();
            return status.get("ring");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static double detourGauge(String site) {
        for (String line : PROXIES.get(0).metrics().scrape().split("\n")) {
            if (line.startsWith("autosync_ring_detour{") && line.contains("site=\"" + site + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    @Test
    void anObjectWrittenAtTheFirstSiteReachesTheThirdWhileTheMiddleOneIsDown() throws Exception {
        String container = "ring-" + FanOutSwiftSite.unique("down");
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B, SWIFT_C)) {
            s.track(container);
        }
        HttpResponse<byte[]> put = throughA.send("PUT", containerPath(container), "X-Autosync-Consistency", "all");
        assertEquals(201, put.statusCode(), text(put) + " " + header(put, "X-Autosync-Sites"));
        String quoted = FanOutSwiftSite.enc(container);
        String toA = "//lab/a/AUTH_test/" + quoted;
        String toB = "//lab/b/AUTH_test/" + quoted;
        String toC = "//lab/c/AUTH_test/" + quoted;
        assertEquals(toB, syncTo(SWIFT_A, container), "the ring a -> b -> c -> a");
        assertEquals(toC, syncTo(SWIFT_B, container));
        assertEquals(toA, syncTo(SWIFT_C, container));
        assertEquals(0.0, detourGauge("b"));

        String object = objectPath(container, "written-at-a-while-b-is-down");
        try (StoppedLabDaemon bDown = StoppedLabDaemon.stop("b", "proxy")) {
            awaitSyncTo(SWIFT_A, container, toC, Duration.ofSeconds(30));
            assertEquals(1.0, detourGauge("b"), "a routes around b");
            assertEquals(toA, syncTo(SWIFT_C, container), "c's copy already synced to a: untouched");

            HttpResponse<byte[]> o = SWIFT_A.put(object, "around b".getBytes(StandardCharsets.UTF_8));
            assertEquals(201, o.statusCode(), text(o));
            HttpResponse<byte[]> atC = SWIFT_C.awaitHead(object, r -> r.statusCode() == 200, SYNCED_WITHIN);
            assertEquals(200, atC.statusCode(), "the object written at a reached c with b down");

            // nothing else undoes the detour: a client's change through a, and a reconcile at a
            HttpResponse<byte[]> post = throughA.send("POST", containerPath(container),
                    "X-Container-Meta-Color", "green", "X-Autosync-Consistency", "local");
            assertEquals(204, post.statusCode(), text(post));
            PROXIES.get(0).federation().reconciler().run(new org.autosync.proxy.federation.reconcile.Reconciler
                    .Options(List.of("AUTH_test"), false, false, -1, n -> { }));
            assertEquals(toC, syncTo(SWIFT_A, container), "a's copy still routes around b");
            assertEquals("green", header(SWIFT_A.head(containerPath(container)), "X-Container-Meta-Color"));
        }
        awaitUp(SWIFT_B, Duration.ofSeconds(30));
        awaitSyncTo(SWIFT_A, container, toB, Duration.ofSeconds(30));
        assertEquals(0.0, detourGauge("b"), "b taken back into the ring");
        HttpResponse<byte[]> atB = SWIFT_B.awaitHead(object, r -> r.statusCode() == 200, SYNCED_WITHIN);
        assertEquals(200, atB.statusCode(), "b got what it missed once a's copy synced through it again");
    }

    private static void awaitUp(FanOutSwiftSite s, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!reachable(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Swift site " + s.name + " did not come back within " + max);
            }
            Thread.sleep(250);
        }
    }
}
