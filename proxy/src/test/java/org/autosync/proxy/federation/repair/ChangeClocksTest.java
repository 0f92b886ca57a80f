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
    private static final String DELETES = "/v1/AUTH_autosync/" + ChangeClocks.DELETES + "/";
    private final ConcurrentSkipListSet<String> objects = new ConcurrentSkipListSet<>(); // names in the container
    private final ConcurrentSkipListSet<String> deletes = new ConcurrentSkipListSet<>(); // and in the deletes'

    private CompletableFuture<ClusterResponse> swift(ClusterRequest req) {
        String path = req.pathWithQuery();
        boolean isDeletes = path.startsWith(DELETES) || path.startsWith(DELETES.substring(0, DELETES.length() - 1) + "?");
        ConcurrentSkipListSet<String> in = isDeletes ? deletes : objects;
        String prefix = isDeletes ? DELETES : CONTAINER;
        ClusterResponse resp = switch (req.method()) {
            case "PUT" -> {
                if (path.startsWith(prefix)) {
                    in.add(decode(path.substring(prefix.length())));
                }
                yield new ClusterResponse(201, Map.of(), new byte[0]);
            }
            case "DELETE" -> new ClusterResponse(in.remove(decode(path.substring(prefix.length()))) ? 204 : 404,
                    Map.of(), new byte[0]);
            case "GET" -> listing(in, path);
            default -> new ClusterResponse(405, Map.of(), new byte[0]);
        };
        return CompletableFuture.completedFuture(resp);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static ClusterResponse listing(ConcurrentSkipListSet<String> objects, String pathWithQuery) {
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
    void anAccountsDeletesAreListedByPageTheNewestPerContainer() throws Exception {
        ChangeClocks clocks = new ChangeClocks(this::swift, "AUTH_autosync");
        clocks.recordDelete("AUTH_t", "c", new ChangeClock(5, "a")).get();
        clocks.recordDelete("AUTH_t", "c", new ChangeClock(9, "a")).get();
        clocks.recordDelete("AUTH_t", "d", new ChangeClock(7, "a")).get();
        clocks.recordDelete("AUTH_tx", "c", new ChangeClock(8, "a")).get(); // another account, same start
        for (int i = 0; i < 10_000; i++) {
            deletes.add("AUTH_u/" + String.format("k%05d", i) + "/" + new ChangeClock(1, "a"));
        }
        ChangeClocks.DeletePage t = clocks.deletes("AUTH_t", "").get();
        assertEquals(Map.of("c", new ChangeClock(9, "a"), "d", new ChangeClock(7, "a")), t.deletes());
        assertEquals(null, t.next(), "one page");
        assertTrue(deletes.stream().noneMatch(n -> n.equals("AUTH_t/c/" + new ChangeClock(5, "a"))), "older one dropped");
        ChangeClocks.DeletePage first = clocks.deletes("AUTH_u", "").get();
        assertEquals(10_000, first.deletes().size());
        assertEquals("AUTH_u/k09999/" + new ChangeClock(1, "a"), first.next(), "a full page names the next marker");
        ChangeClocks.DeletePage last = clocks.deletes("AUTH_u", first.next()).get();
        assertEquals(Map.of(), last.deletes());
        assertEquals(null, last.next());
        clocks.dropDelete("AUTH_t", "d", new ChangeClock(7, "a")).get();
        assertEquals(Map.of("c", new ChangeClock(9, "a")), clocks.deletes("AUTH_t", "").get().deletes(), "dropped");
        assertEquals(new ChangeClocks.DeletePage(Map.of(), null), new ChangeClocks(req ->
                CompletableFuture.completedFuture(new ClusterResponse(404, Map.of(), new byte[0])), "AUTH_autosync")
                .deletes("AUTH_t", "").get(), "nothing ever deleted here");
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
