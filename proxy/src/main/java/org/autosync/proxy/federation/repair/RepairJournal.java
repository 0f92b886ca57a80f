package org.autosync.proxy.federation.repair;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.route.SwiftPath;

/**
 * The repair records of this site, kept as small JSON objects in this site's own Swift, in a
 * container of an account reserved for Autosync: durable (a proxy crash loses nothing written
 * before the client's answer), shared by every proxy replica of the site, and no new server.
 * One object per event; processing a record deletes exactly that object.
 */
public final class RepairJournal implements RepairRecords, RecordStore {
    /** The container in the repair account that holds the records. */
    public static final String CONTAINER = "autosync-repairs";
    /** The container in the repair account with one empty object per account Autosync has served. */
    public static final String ACCOUNTS = "autosync-accounts";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int PAGE = 1000;

    /** A record as stored: its object name and what it says. */
    public record Entry(String name, RepairRecord record) {
    }

    /** Records kept in memory once written or read here, so the worker need not GET them again. */
    private static final int CACHED = 20_000;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RepairJournal.class);

    /** Accounts noted by this process (or being noted now). */
    private final Set<String> notedAccounts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Calls to this site's Swift as the service user. */
    private final Function<ClusterRequest, CompletableFuture<ClusterResponse>> local;
    private final String containerPath;
    private final String accountsPath;
    /**
     * A record's object never changes once written (one object per event), so what this process
     * wrote or read stays true until the object is deleted; the listing still decides what is
     * pending, and a cached record another replica deleted meanwhile is only re-decided from
     * current state, which repeats nothing.
     */
    private final Map<String, RepairRecord> known = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, RepairRecord> eldest) {
                    return size() > CACHED;
                }
            });

    /** Key hashes of one complete listing of the records, and when that listing began. */
    private record Listed(Set<String> hashes, long startedNanos) {
    }

    /** How old a listing {@link #hasPending} may answer from: the worker lists every interval anyway. */
    private final long freshNanos;
    private volatile Listed listed;
    private CompletableFuture<Listed> listing; // guarded by this
    /**
     * The records this process wrote in the last couple of minutes and has not deleted, with
     * when: pending, though a listing begun before them does not show them. Sorted by name, so
     * a key's records (named after its hash) sit side by side.
     */
    private final ConcurrentSkipListMap<String, Long> recentWrites = new ConcurrentSkipListMap<>();
    private static final long RECENT_WRITES_NANOS = TimeUnit.MINUTES.toNanos(2);
    /** Key hashes of the deletes this process is carrying out, with how many at once. */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> deletesUnderway =
            new java.util.concurrent.ConcurrentHashMap<>();

    public RepairJournal(LocalService local, String account, Duration fresh) {
        this(requireNonNull(local, "local")::send, account, fresh);
    }

    RepairJournal(Function<ClusterRequest, CompletableFuture<ClusterResponse>> local, String account) {
        this(local, account, Duration.ofSeconds(5));
    }

    RepairJournal(Function<ClusterRequest, CompletableFuture<ClusterResponse>> local, String account, Duration fresh) {
        this.local = requireNonNull(local, "local");
        this.containerPath = "/v1/" + SwiftPath.quote(requireNonNull(account, "account")) + "/" + CONTAINER;
        this.accountsPath = "/v1/" + SwiftPath.quote(account) + "/" + ACCOUNTS;
        this.freshNanos = requireNonNull(fresh, "fresh").toNanos();
    }

    @Override
    public CompletableFuture<Boolean> hasPending(String account, String container) {
        String hash = RepairRecord.keyHash(account, container);
        if (wroteFor(hash)) {
            return CompletableFuture.completedFuture(true);
        }
        return fresh().thenApply(l -> l.hashes().contains(hash) || wroteFor(hash));
    }

    /**
     * As {@link #hasPending}, but from what is known now, never waiting for a listing (only for
     * the very first, before any): for the request path, where a listing of a long backlog would
     * hold the client up. The worker lists every pass, so what is known is at most a pass old.
     */
    @Override
    public CompletableFuture<Boolean> mayHavePending(String account, String container) {
        String hash = RepairRecord.keyHash(account, container);
        Listed l = listed;
        if (l == null) {
            return hasPending(account, container);
        }
        return CompletableFuture.completedFuture(wroteFor(hash) || l.hashes().contains(hash));
    }

    @Override
    public CompletableFuture<Boolean> pendingTo(String account, String container, String target) {
        String prefix = RepairRecord.keyHash(account, container) + "/" + target + "/";
        String first = recentWrites.ceilingKey(prefix);
        if (first != null && first.startsWith(prefix)) {
            return CompletableFuture.completedFuture(true);
        }
        return page(containerPath, new ArrayList<>(), "", prefix).thenApply(names -> !names.isEmpty());
    }

    @Override
    public CompletableFuture<List<String>> supersedeDrains(String account, String container, long changedAtMicros) {
        return mayHavePending(account, container).thenCompose(any -> !any ? CompletableFuture.completedFuture(List.of())
                : pendingFor(account, container).thenCompose(entries -> {
                    List<String> older = entries.stream().filter(e -> e.record().op() == RepairOp.CONTAINER_DRAIN
                            && e.record().stampMicros() < changedAtMicros).map(Entry::name).toList();
                    return CompletableFuture.allOf(older.stream().map(this::remove).toArray(CompletableFuture[]::new))
                            .thenApply(v -> older);
                }));
    }

    @Override
    public Runnable deleteUnderway(String account, String container) {
        String hash = RepairRecord.keyHash(account, container);
        deletesUnderway.merge(hash, 1, Integer::sum);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                deletesUnderway.computeIfPresent(hash, (k, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    /**
     * Whether this process wrote a record for the key lately and has not deleted it, or is
     * carrying out a delete of it.
     */
    private boolean wroteFor(String keyHash) {
        if (deletesUnderway.containsKey(keyHash)) {
            return true;
        }
        String first = recentWrites.ceilingKey(keyHash + "/");
        return first != null && first.startsWith(keyHash + "/");
    }

    @Override
    public int writtenSince(long nanos) {
        int n = 0;
        for (Long t : recentWrites.values()) {
            if (t - nanos >= 0) {
                n++;
            }
        }
        return n;
    }

    private synchronized CompletableFuture<Listed> fresh() {
        Listed l = listed;
        if (l != null && System.nanoTime() - l.startedNanos() < freshNanos) {
            return CompletableFuture.completedFuture(l);
        }
        if (listing != null) {
            return listing; // one listing at a time, however many ask
        }
        CompletableFuture<Listed> f = names().thenApply(n -> listed);
        listing = f;
        f.whenComplete((v, e) -> {
            synchronized (this) {
                if (listing == f) {
                    listing = null;
                }
            }
        });
        return f;
    }

    /**
     * Notes that Autosync served {@code account}, for the reconcile to find it (idempotent): once
     * per process, and again after a failed try. A failure is logged here: callers need not wait.
     */
    @Override
    public CompletableFuture<Void> noteAccount(String account) {
        if (!notedAccounts.add(account)) {
            return CompletableFuture.completedFuture(null);
        }
        return storeAccount(account).whenComplete((v, err) -> {
            if (err != null) {
                notedAccounts.remove(account); // the next change tries again
                log.warn("could not note account {} for the reconcile: {}", account,
                        org.autosync.proxy.cluster.ClusterClient.cause(err).getMessage());
            }
        });
    }

    private CompletableFuture<Void> storeAccount(String account) {
        ClusterRequest put = new ClusterRequest("PUT", accountsPath + "/" + SwiftPath.quote(account), Map.of(),
                new byte[0]);
        return local.apply(put).thenCompose(resp -> {
            if (resp.status() != 404) {
                return resp.is2xx() ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(new IOException("noting account: " + describe(resp)));
            }
            return local.apply(new ClusterRequest("PUT", accountsPath, Map.of(), new byte[0]))
                    .thenCompose(c -> local.apply(put)).thenApply(r -> null);
        });
    }

    /** Every account noted by {@link #noteAccount}. */
    public CompletableFuture<List<String>> seenAccounts() {
        return page(accountsPath, new ArrayList<>(), "", "");
    }

    /**
     * Writes each record as its own object; completes when all are stored, exceptionally when
     * one could not be (the caller must not then promise the change to the client).
     */
    @Override
    public CompletableFuture<List<String>> record(List<RepairRecord> records) {
        List<CompletableFuture<String>> puts = new ArrayList<>();
        for (RepairRecord r : records) {
            puts.add(put(r, r.name(nonce()), true));
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new))
                .thenApply(v -> puts.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<String> put(RepairRecord r, String name, boolean createContainer) {
        ClusterRequest req = new ClusterRequest("PUT", objectPath(name),
                Map.of("content-type", List.of("application/json")), encode(r));
        return local.apply(req).thenCompose(resp -> {
            if (resp.is2xx()) {
                known.put(name, r);
                long now = System.nanoTime();
                recentWrites.put(name, now);
                return CompletableFuture.completedFuture(name);
            }
            if (resp.status() == 404 && createContainer) {
                return ensureContainer().thenCompose(v -> put(r, name, false));
            }
            return CompletableFuture.failedFuture(new IOException("storing repair record: " + describe(resp)));
        });
    }

    /** Creates the records' container (and, with account autocreate, the account). */
    private CompletableFuture<Void> ensureContainer() {
        return local.apply(new ClusterRequest("PUT", containerPath, Map.of(), new byte[0])).thenCompose(resp ->
                resp.is2xx() ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(new IOException("creating the repair container: "
                                + describe(resp))));
    }

    /** Every record name, in listing order (a key's records together, oldest first). */
    @Override
    public CompletableFuture<List<String>> names() {
        long started = System.nanoTime();
        return page(containerPath, new ArrayList<>(), "", "").thenApply(names -> {
            Set<String> hashes = new HashSet<>();
            for (String n : names) {
                hashes.add(RepairRecord.keyHashOf(n));
            }
            listed = new Listed(Set.copyOf(hashes), started);
            recentWrites.values().removeIf(t -> started - t > RECENT_WRITES_NANOS);
            return names;
        });
    }

    @Override
    public CompletableFuture<List<Entry>> pendingFor(String account, String container) {
        return page(containerPath, new ArrayList<>(), "", RepairRecord.keyHash(account, container) + "/")
                .thenCompose(names -> {
            List<CompletableFuture<Entry>> reads = names.stream().map(this::read).toList();
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> reads.stream()
                    .map(CompletableFuture::join)
                    .filter(e -> e != null && e.record().account().equals(account)
                            && e.record().container().equals(container))
                    .toList());
        });
    }

    private CompletableFuture<List<String>> page(String path, List<String> acc, String marker, String prefix) {
        String q = "?format=json&limit=" + PAGE + (marker.isEmpty() ? "" : "&marker=" + enc(marker))
                + (prefix.isEmpty() ? "" : "&prefix=" + enc(prefix));
        return local.apply(new ClusterRequest("GET", path + q, Map.of(), new byte[0])).thenCompose(resp -> {
            if (resp.status() == 404) {
                return CompletableFuture.completedFuture(acc); // nothing recorded yet
            }
            if (!resp.is2xx()) {
                return CompletableFuture.failedFuture(new IOException("listing repair records: " + describe(resp)));
            }
            List<String> got = new ArrayList<>();
            if (resp.body().length > 0) {
                try {
                    for (JsonNode o : JSON.readTree(resp.body())) {
                        got.add(o.path("name").asText());
                    }
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(new IOException("repair listing is not JSON", e));
                }
            }
            acc.addAll(got);
            return got.size() < PAGE ? CompletableFuture.completedFuture(acc)
                    : page(path, acc, got.get(got.size() - 1), prefix);
        });
    }

    /** The record stored under {@code name}; completes with null when it is gone. */
    @Override
    public CompletableFuture<Entry> read(String name) {
        RepairRecord had = known.get(name);
        if (had != null) {
            return CompletableFuture.completedFuture(new Entry(name, had));
        }
        return local.apply(new ClusterRequest("GET", objectPath(name), Map.of(), new byte[0])).thenCompose(resp -> {
            if (resp.status() == 404) {
                return CompletableFuture.completedFuture(null);
            }
            if (!resp.is2xx()) {
                return CompletableFuture.failedFuture(new IOException("reading repair record: " + describe(resp)));
            }
            try {
                RepairRecord r = decode(resp.body());
                known.put(name, r);
                return CompletableFuture.completedFuture(new Entry(name, r));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(new IOException("repair record " + name + " is unreadable: "
                        + e.getMessage(), e));
            }
        });
    }

    /** Deletes exactly the record {@code name}; a record already gone counts as deleted. */
    @Override
    public CompletableFuture<Void> remove(String name) {
        return local.apply(new ClusterRequest("DELETE", objectPath(name), Map.of(), new byte[0])).thenCompose(resp -> {
            if (!resp.is2xx() && resp.status() != 404) {
                return CompletableFuture.<Void>failedFuture(new IOException("deleting repair record: "
                        + describe(resp)));
            }
            known.remove(name);
            recentWrites.remove(name);
            return CompletableFuture.<Void>completedFuture(null);
        });
    }

    static byte[] encode(RepairRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("v", 1);
        o.put("account", r.account());
        o.put("container", r.container());
        o.put("op", r.op().name());
        o.put("target", r.target());
        o.put("origin", r.origin());
        o.put("stamp", r.stampMicros());
        ArrayNode h = o.putArray("headers");
        r.headers().forEach(h::add);
        if (!r.snapshot().isEmpty()) {
            ObjectNode snap = o.putObject("snapshot");
            r.snapshot().forEach(snap::put);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static RepairRecord decode(byte[] body) throws IOException {
        JsonNode o = JSON.readTree(body);
        if (o == null || o.path("v").asInt() != 1) {
            throw new IOException("not a version 1 repair record");
        }
        Set<String> headers = new LinkedHashSet<>();
        o.path("headers").forEach(n -> headers.add(n.asText()));
        Map<String, String> snapshot = new java.util.TreeMap<>();
        o.path("snapshot").fields().forEachRemaining(e -> snapshot.put(e.getKey(), e.getValue().asText()));
        return new RepairRecord(o.path("account").asText(), o.path("container").asText(),
                RepairOp.valueOf(o.path("op").asText()), o.path("target").asText(), o.path("origin").asText(),
                o.path("stamp").asLong(), headers, snapshot);
    }

    private String objectPath(String name) {
        StringBuilder sb = new StringBuilder(containerPath);
        for (String seg : name.split("/", -1)) {
            sb.append('/').append(SwiftPath.quote(seg));
        }
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String nonce() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String describe(ClusterResponse resp) {
        String body = new String(resp.body(), StandardCharsets.UTF_8).strip();
        if (body.length() > 120) {
            body = body.substring(0, 120) + "...";
        }
        return resp.status() + (body.isEmpty() ? "" : " " + body.replace('\n', ' '));
    }
}
