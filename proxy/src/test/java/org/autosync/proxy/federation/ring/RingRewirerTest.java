package org.autosync.proxy.federation.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.route.SwiftPath;
import org.autosync.proxy.testing.MovingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rewirer against a cluster kept in memory (containers and their sync targets) and a clock
 * the test moves: site a of a ring [a, b, c] ("ring-*" containers; others are placed at a, b).
 */
class RingRewirerTest {
    private static final String TO_B = "//lab/b/AUTH_x/";
    private static final String TO_C = "//lab/c/AUTH_x/";

    private final MovingClock clock = new MovingClock();
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final Map<String, String> syncTo = new ConcurrentSkipListMap<>(); // container -> its target at a
    private final Set<String> failingHeads = ConcurrentHashMap.newKeySet();
    private final List<String> posts = new CopyOnWriteArrayList<>();
    private RingRewirer rewirer;

    @AfterEach
    void close() {
        if (rewirer != null) {
            rewirer.close();
        }
    }

    private static FederationSettings settings(String ring) {
        return Settings.fromConfig(ConfigFactory.parseString("""
                autosync {
                  local-cluster = "http://127.0.0.1:1"
                  site = a
                  sites {
                    a { url = "http://127.0.0.1:2", realm-cluster = a }
                    b { url = "http://127.0.0.1:3", realm-cluster = b }
                    c { url = "http://127.0.0.1:4", realm-cluster = c }
                  }
                  sync-realm = lab
                  sync-key-secret = "ring-test-sync-key-secret-01"
                  peer-secret = "ring-test-peer-secret-0000001"
                  service-credentials { auth-url = "http://127.0.0.1:1/auth/v1.0", user = "admin:admin", key = admin }
                  placement {
                    default = [a, b]
                    rules = [ { account = AUTH_x, container = "ring-*", sites = [a, b, c] } ]
                  }
                  peer-health { interval = 1s, open-after = 1 }
                  ring { %s }
                }
                """.formatted(ring))).federation();
    }

    private RingRewirer rewirer(FederationSettings fed, boolean active) {
        RingRoutes routes = new RingRoutes(fed.topology(), List.of("b", "c"), fed.ring(), down::contains,
                clock.instant());
        rewirer = new RingRewirer(fed, routes, this::cluster, () -> List.of("AUTH_x"), active, clock,
                new ProxyMetrics());
        return rewirer;
    }

    /** Site a's Swift: a listing of AUTH_x, HEAD and POST of its containers. */
    private CompletableFuture<ClusterResponse> cluster(ClusterRequest req) {
        SwiftPath path = SwiftPath.parse(req.pathWithQuery());
        if (req.method().equals("GET")) {
            StringBuilder json = new StringBuilder("[");
            boolean first = !req.pathWithQuery().contains("marker=");
            if (first) {
                for (String c : syncTo.keySet()) {
                    json.append(json.length() > 1 ? "," : "").append("{\"name\":\"").append(c).append("\"}");
                }
            }
            return CompletableFuture.completedFuture(new ClusterResponse(200, Map.of(),
                    json.append(']').toString().getBytes(StandardCharsets.UTF_8)));
        }
        String c = path.container();
        if (!syncTo.containsKey(c)) {
            return CompletableFuture.completedFuture(new ClusterResponse(404, Map.of(), new byte[0]));
        }
        if (req.method().equals("HEAD")) {
            if (failingHeads.contains(c)) {
                return CompletableFuture.completedFuture(new ClusterResponse(503, Map.of(), new byte[0]));
            }
            return CompletableFuture.completedFuture(new ClusterResponse(204,
                    Map.of("x-container-sync-to", List.of(syncTo.get(c))), new byte[0]));
        }
        posts.add(c);
        syncTo.put(c, req.header("x-container-sync-to"));
        return CompletableFuture.completedFuture(new ClusterResponse(204, Map.of(), new byte[0]));
    }

    /** Ticks every second (the health interval) for {@code seconds}, each pass run to its end. */
    private void run(int seconds) throws InterruptedException {
        for (int i = 0; i < seconds; i++) {
            clock.advance(Duration.ofSeconds(1));
            rewirer.tick();
            Thread.sleep(2); // let a pass start
            rewirer.awaitIdle();
        }
    }

    @Test
    void aCopyIsRoutedAroundADownPeerAndBackOnlyRingCopiesAreTouched() throws Exception {
        syncTo.put("ring-1", TO_B + "ring-1");
        syncTo.put("two-sites", TO_B + "two-sites");
        rewirer(settings("detour-after = 5s, return-after = 3s, rewire-rate = 1000"), true);
        run(12); // the first full pass: all as it should be
        assertEquals(List.of(), posts);
        down.add("b");
        run(4);
        assertEquals(TO_B + "ring-1", syncTo.get("ring-1"), "down 4 s only");
        run(3);
        assertEquals(TO_C + "ring-1", syncTo.get("ring-1"), "around b");
        assertEquals(TO_B + "two-sites", syncTo.get("two-sites"), "a two-site copy has nowhere else to go");
        down.clear();
        run(5);
        assertEquals(TO_B + "ring-1", syncTo.get("ring-1"), "back through b");
        assertEquals(List.of("ring-1", "ring-1"), posts);
    }

    @Test
    void aPassThatFailedInPartIsFollowedByAFullOneSoNoCopyStaysAround() throws Exception {
        syncTo.put("ring-1", TO_B + "ring-1");
        syncTo.put("ring-2", TO_B + "ring-2");
        rewirer(settings("detour-after = 3s, return-after = 3s, rewire-rate = 1000"), true);
        run(10);
        down.add("b");
        failingHeads.add("ring-2");
        run(6);
        assertEquals(TO_C + "ring-1", syncTo.get("ring-1"));
        assertEquals(TO_B + "ring-2", syncTo.get("ring-2"), "its HEAD fails");
        failingHeads.clear();
        down.clear(); // b back before the retry: the routes end where the failed pass started
        run(90);
        assertEquals(TO_B + "ring-1", syncTo.get("ring-1"), "the copy rewired by the failed pass came back");
        assertEquals(TO_B + "ring-2", syncTo.get("ring-2"));
    }

    @Test
    void aCopyIsNeverPointedAtASiteThatIsDownNow() throws Exception {
        // routed around b before a restart; b is down again (not yet routed around) at the first full pass
        syncTo.put("ring-1", TO_C + "ring-1");
        rewirer(settings("detour-after = 30s, return-after = 3s, rewire-rate = 1000"), true);
        run(20);
        down.add("b");
        run(13); // the first full pass (at 32 s) finds b down, its route not settled
        assertEquals(TO_C + "ring-1", syncTo.get("ring-1"), "kept: wiring it to b helps nobody");
        run(40);
        assertEquals(TO_C + "ring-1", syncTo.get("ring-1"), "b routed around now: c is right");
        assertEquals(List.of(), posts, "no sync-point reset at all");
    }

    @Test
    void onlyTheActiveReplicaRewires() throws Exception {
        syncTo.put("ring-1", TO_C + "ring-1");
        rewirer(settings("detour-after = 3s, return-after = 3s, rewire-rate = 1000"), false);
        run(20);
        assertTrue(posts.isEmpty());
        assertEquals(TO_C + "ring-1", syncTo.get("ring-1"));
    }
}
