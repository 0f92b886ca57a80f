package org.autosync.proxy.federation.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.junit.jupiter.api.Test;

/** The clocks against an in-memory container that pages its listings as Swift does. */
class ChangeClocksTest {
    private static final String CONTAINER = "/v1/AUTH_autosync/" + ChangeClocks.CONTAINER + "/";
    private final ConcurrentSkipListSet<String> objects = new ConcurrentSkipListSet<>(); // names in the container

    private CompletableFuture<ClusterResponse> swift(ClusterRequest req) {
        String path = req.pathWithQuery();
        ClusterResponse resp = switch (req.method()) {
            case "PUT" -> {
                if (path.startsWith(CONTAINER)) {
                    objects.add(decode(path.substring(CONTAINER.length())));
                }
                yield new ClusterResponse(201, Map.of(), new byte[0]);
            }
            case "DELETE" -> new ClusterResponse(objects.remove(decode(path.substring(CONTAINER.length()))) ? 204 : 404,
                    Map.of(), new byte[0]);
            case "GET" -> listing(path);
            default -> new ClusterResponse(405, Map.of(), new byte[0]);
        };
        return CompletableFuture.completedFuture(resp);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private ClusterResponse listing(String pathWithQuery) {
        Map<String, String> q = new HashMap<>();
        for (String kv : pathWithQuery.substring(pathWithQuery.indexOf('?') + 1).split("&")) {
            String[] p = kv.split("=", 2);
            q.put(p[0], URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8));
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", "10000"));
        String marker = q.getOrDefault("marker", "");
        String body = objects.stream().filter(n -> n.startsWith(q.getOrDefault("prefix", "")) && n.compareTo(marker) > 0)
                .limit(limit).map(n -> "{\"name\": \"" + n + "\"}").collect(Collectors.joining(",", "[", "]"));
        return new ClusterResponse(200, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theNewestClockIsFoundPastTheFirstPageOfTheListing() throws Exception {
        ChangeClocks clocks = new ChangeClocks(this::swift, "AUTH_autosync");
        String hash = ChangeClocks.keyHash("AUTH_t", "c");
        for (int i = 1; i <= 10_005; i++) { // changed more often than a page holds, its old clocks never read
            objects.add(hash + "/x-container-meta-color/" + new ChangeClock(1_000_000L * i, "a"));
        }
        objects.add(hash + "/x-container-read/" + new ChangeClock(7, "b")); // after every color, in name order
        Map<String, ChangeClock> newest = clocks.read("AUTH_t", "c").get();
        assertEquals(new ChangeClock(10_005_000_000L, "a"), newest.get("x-container-meta-color"));
        assertEquals(new ChangeClock(7, "b"), newest.get("x-container-read"), "a header on the second page");
        assertEquals(List.of(hash + "/x-container-meta-color/" + new ChangeClock(10_005_000_000L, "a"),
                hash + "/x-container-read/" + new ChangeClock(7, "b")), List.copyOf(objects), "the older ones dropped");
    }

    @Test
    void theSiteThatTookAChangeDropsTheClocksItSupersedes() throws Exception {
        ChangeClocks clocks = new ChangeClocks(this::swift, "AUTH_autosync");
        for (int i = 1; i <= 3; i++) {
            clocks.recordAndDropOlder("AUTH_t", "c", Map.of("x-container-meta-color", new ChangeClock(i, "a"))).get();
        }
        assertEquals(1, objects.size(), "a key changed only here, never read by a repair, keeps one: " + objects);
        assertTrue(objects.first().endsWith("/" + new ChangeClock(3, "a")), objects.toString());
    }
}
