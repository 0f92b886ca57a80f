package org.autosync.proxy.federation.repair;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.route.SwiftPath;

/**
 * This site's change clocks: for each account or container and each replicated header, when its
 * current value was set through Autosync and at which site. Kept in this site's Swift as empty
 * objects named {@code <key hash>/<header>/<clock>}, so one prefix listing reads a key's clocks
 * and no write ever overwrites another (the newest name per header wins; older ones are pruned).
 * Beside them, the container deletes this site took, named {@code <account>/<container>/<clock>},
 * so that a reconcile reads an account's deletes in a few listings, not one per container.
 */
public final class ChangeClocks {
    /** The container in the repair account that holds the clocks. */
    public static final String CONTAINER = "autosync-changes";
    /** The container in the repair account that holds the container deletes taken here. */
    public static final String DELETES = "autosync-deletes";

    /** One page of an account's deletes: container -> newest delete; {@code next}: the marker of the next page, or null. */
    public record DeletePage(Map<String, ChangeClock> deletes, String next) {
        public DeletePage {
            deletes = java.util.Collections.unmodifiableMap(new TreeMap<>(deletes));
        }
    }
    /** Names per listing page (Swift's default container_listing_limit). */
    private static final int PAGE = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The clocks could not be read; {@link #answer()} is what this site's cluster said. */
    public static final class Unreadable extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient ClusterResponse answer;

        Unreadable(ClusterResponse answer) {
            super("reading change clocks: " + answer.status());
            this.answer = answer;
        }

        public ClusterResponse answer() {
            return answer;
        }
    }

    /** Calls to this site's Swift as the service user. */
    private final java.util.function.Function<ClusterRequest, CompletableFuture<ClusterResponse>> local;
    private final String containerPath;
    private final String deletesPath;

    public ChangeClocks(LocalService local, String account) {
        this(requireNonNull(local, "local")::send, account);
    }

    ChangeClocks(java.util.function.Function<ClusterRequest, CompletableFuture<ClusterResponse>> local, String account) {
        this.local = requireNonNull(local, "local");
        this.containerPath = "/v1/" + SwiftPath.quote(requireNonNull(account, "account")) + "/" + CONTAINER;
        this.deletesPath = "/v1/" + SwiftPath.quote(account) + "/" + DELETES;
    }

    /** Records that Autosync deleted the container here at {@code clock} (the delete's time and this site). */
    public CompletableFuture<Void> recordDelete(String account, String container, ChangeClock clock) {
        return put(deletesPath, account + "/" + container + "/" + clock, true);
    }

    /** Forgets a delete recorded here (one that {@link #deletes} gave). */
    public CompletableFuture<Void> dropDelete(String account, String container, ChangeClock clock) {
        return delete(deletesPath, account + "/" + container + "/" + clock).thenCompose(resp ->
                resp.is2xx() || resp.status() == 404 ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(new IOException("dropping a delete: " + resp.status())));
    }

    /**
     * The account's deletes after {@code marker} ("" for the first page), the newest per
     * container; superseded ones found on the page are dropped. A 404 (nothing ever deleted
     * here) is an empty last page.
     */
    public CompletableFuture<DeletePage> deletes(String account, String marker) {
        String q = deletesPath + "?format=json&limit=" + PAGE + "&prefix="
                + URLEncoder.encode(account + "/", StandardCharsets.UTF_8)
                + (marker.isEmpty() ? "" : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8));
        return local.apply(new ClusterRequest("GET", q, Map.of(), new byte[0])).thenCompose(resp -> {
            if (resp.status() == 404) {
                return CompletableFuture.completedFuture(new DeletePage(Map.of(), null));
            }
            if (!resp.is2xx()) {
                return CompletableFuture.failedFuture(new Unreadable(resp));
            }
            Map<String, ChangeClock> newest = new TreeMap<>();
            List<String> older = new ArrayList<>();
            Page page;
            try {
                page = newestOf(resp.body(), newest, older);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            older.forEach(o -> delete(deletesPath, o));
            return CompletableFuture.completedFuture(new DeletePage(newest, page.size() == PAGE ? page.last() : null));
        });
    }

    /** Deletes the bookkeeping object {@code name} of {@code container} (a superseded clock or delete). */
    private CompletableFuture<ClusterResponse> delete(String container, String name) {
        return local.apply(new ClusterRequest("DELETE", objectPath(container, name), Map.of(), new byte[0]));
    }

    /** Records that these headers of the key took their values at these clocks. */
    public CompletableFuture<Void> record(String account, String container, Map<String, ChangeClock> clocks) {
        String hash = keyHash(account, container);
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        clocks.forEach((name, clock) -> puts.add(put(containerPath, hash + "/" + name + "/" + clock, true)));
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new));
    }

    /**
     * {@link #record}, then, in the background, drops the clocks these supersede (a read drops
     * them): for the site that took a client's change, which otherwise never reads them (a key
     * changed only there and always in step), so they would pile up. Peers and repairs read the
     * clocks before they record, and need not.
     */
    public CompletableFuture<Void> recordAndDropOlder(String account, String container,
                                                      Map<String, ChangeClock> clocks) {
        CompletableFuture<Void> all = record(account, container, clocks);
        all.thenRun(() -> read(account, container));
        return all;
    }

    private CompletableFuture<Void> put(String container, String name, boolean createContainer) {
        return local.apply(new ClusterRequest("PUT", objectPath(container, name), Map.of(), new byte[0]))
                .thenCompose(resp -> {
            if (resp.is2xx()) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (resp.status() == 404 && createContainer) {
                return local.apply(new ClusterRequest("PUT", container, Map.of(), new byte[0]))
                        .thenCompose(c -> put(container, name, false));
            }
            return CompletableFuture.<Void>failedFuture(new IOException("storing a change clock: " + resp.status()));
        });
    }

    /** The newest clock of each header of the key (none: never changed through Autosync). */
    public CompletableFuture<Map<String, ChangeClock>> read(String account, String container) {
        return read(keyHash(account, container) + "/", "", new TreeMap<>(), new ArrayList<>());
    }

    /** One page of the key's clocks after {@code marker}, then the next, until the last. */
    private CompletableFuture<Map<String, ChangeClock>> read(String prefix, String marker,
                                                             Map<String, ChangeClock> newest, List<String> older) {
        String q = containerPath + "?format=json&limit=" + PAGE + "&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                + (marker.isEmpty() ? "" : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8));
        return local.apply(new ClusterRequest("GET", q, Map.of(), new byte[0])).thenCompose(resp -> {
            if (resp.status() == 404) {
                return CompletableFuture.completedFuture(newest);
            }
            if (!resp.is2xx()) {
                return CompletableFuture.failedFuture(new Unreadable(resp));
            }
            Page page;
            try {
                page = newestOf(resp.body(), newest, older);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (page.size() == PAGE) {
                return read(prefix, page.last(), newest, older);
            }
            // superseded clocks only take room: dropped as they are found
            older.forEach(o -> delete(containerPath, o));
            return CompletableFuture.completedFuture(newest);
        });
    }

    /** A listing page's size and last name (null when empty). */
    private record Page(int size, String last) {
    }

    /**
     * Reads a listing page of names {@code <key>/<part>/<clock>} (a key's header clocks, or an
     * account's deletes) into the newest clock per part; the names it supersedes, here or on
     * an earlier page, go to {@code older}. Names that are not ours are skipped.
     */
    private static Page newestOf(byte[] body, Map<String, ChangeClock> newest, List<String> older) throws IOException {
        String last = null;
        int n = 0;
        for (JsonNode o : body.length == 0 ? JSON.createArrayNode() : JSON.readTree(body)) {
            String name = o.path("name").asText();
            last = name;
            n++;
            String[] parts = name.split("/", 3);
            if (parts.length != 3) {
                continue;
            }
            ChangeClock c;
            try {
                c = ChangeClock.parse(parts[2]);
            } catch (IllegalArgumentException e) {
                continue; // not ours
            }
            ChangeClock had = newest.get(parts[1]);
            if (c.isNewerThan(had)) {
                if (had != null) {
                    older.add(parts[0] + "/" + parts[1] + "/" + had);
                }
                newest.put(parts[1], c);
            } else {
                older.add(name);
            }
        }
        return new Page(n, last);
    }

    /** Sixteen hex digits of SHA-256 over {@code account/container}: collisions are not a concern. */
    static String keyHash(String account, String container) {
        return org.autosync.placement.repair.RepairRecord.keyHash(account, container, 8);
    }

    private static String objectPath(String container, String name) {
        StringBuilder sb = new StringBuilder(container);
        for (String seg : name.split("/", -1)) {
            sb.append('/').append(SwiftPath.quote(seg));
        }
        return sb.toString();
    }
}
