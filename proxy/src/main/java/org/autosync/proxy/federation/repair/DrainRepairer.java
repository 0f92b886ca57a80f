package org.autosync.proxy.federation.repair;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.placement.repair.CopyState;
import org.autosync.placement.repair.DrainDecision;
import org.autosync.placement.repair.RepairAction;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.config.RepairSettings;
import org.autosync.proxy.federation.ClockHeaders;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.federation.PeerClient;
import org.autosync.proxy.federation.ring.RingRoutes;
import org.autosync.proxy.federation.SiteCalls;
import org.autosync.proxy.route.SwiftPath;

/**
 * Carries a draining container delete forward: reads every copy (and, for copies that hold
 * objects, their listings, for an object newer than the delete), lets {@link DrainDecision}
 * decide, and when every copy read empty twice a sync pass apart deletes them all: the other
 * sites first, this site's copy last. A DELETE that Swift refuses (an object arrived meanwhile)
 * re-creates the copies already deleted from the record's snapshot, so sync still lands there.
 */
final class DrainRepairer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 1000;

    private final FederationSettings fed;
    private final RingRoutes routes;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DrainRepairer.class);
    /** Listing pages read per copy and pass for a newer object; past that the deadline decides. */
    private static final int MAX_PAGES = 10;

    private final SiteCalls sites;
    private final ChangeClocks clocks;
    private final RepairSettings settings;
    private final Clock clock;

    private final RepairRecords records;

    DrainRepairer(FederationSettings fed, RingRoutes routes, LocalService local, PeerClient peers,
                  ChangeClocks clocks, RepairRecords records, RepairSettings settings, Clock clock) {
        this.records = requireNonNull(records, "records");
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.sites = new SiteCalls(fed.site().name(), local, peers);
        this.clocks = requireNonNull(clocks, "clocks");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
    }

    CompletableFuture<KeyRepairer.Outcome> drain(RepairRecord r, Long emptySince) {
        Placement placement = fed.policy().decide(r.account(), r.container());
        String path = "/v1/" + SwiftPath.quote(r.account()) + "/" + SwiftPath.quote(r.container());
        String here = fed.site().name();
        Map<String, CompletableFuture<ClusterResponse>> heads = new LinkedHashMap<>();
        for (Site s : placement.sites()) {
            // the newest replica's answer: a delete must not go by one that missed a later change
            Map<String, List<String>> h = new LinkedHashMap<>(KeyRepairer.NEWEST);
            if (emptySince != null && !s.name().equals(here)) {
                // this check may be the one that deletes: a peer says whether a change is on its way
                h.put(ClockHeaders.WANT_PENDING_TO_ME, List.of("1"));
            }
            heads.put(s.name(), call(s, new ClusterRequest("HEAD", path, h, new byte[0])));
        }
        return all(heads).thenCompose(answers -> {
            Map<String, CopyState> copies = new LinkedHashMap<>();
            List<String> onTheWay = new ArrayList<>();
            answers.forEach((site, resp) -> {
                copies.put(site, KeyRepairer.state(resp));
                if (emptySince != null && !site.equals(here)
                        && !"0".equals(resp.header(ClockHeaders.PENDING))) {
                    onTheWay.add(site);
                }
            });
            Map<String, CompletableFuture<Optional<Long>>> newest = new LinkedHashMap<>();
            // past the deadline the counts decide: no listing of what may be a large container
            boolean pastDeadline = micros(clock.instant()) - r.stampMicros() > settings.drainDeadline().toNanos() / 1000;
            copies.forEach((site, c) -> {
                if (!pastDeadline && c.presence() == CopyState.Presence.PRESENT && c.objectCount() > 0) {
                    newest.put(site, newestObject(siteOf(placement, site), path, "", null, 0));
                }
            });
            return all(newest).thenCompose(found -> {
                Map<String, Long> newestObject = new LinkedHashMap<>();
                found.forEach((site, t) -> t.ifPresent(v -> newestObject.put(site, v)));
                long now = micros(clock.instant());
                DrainDecision.Verdict v = DrainDecision.decide(r, copies, newestObject, now, emptySince,
                        settings.syncPass(), settings.drainDeadline(), onTheWay);
                Long nextEmptySince = !v.emptyNow() ? null : emptySince == null ? now : emptySince;
                return switch (v.step()) {
                    case DONE -> done(new KeyRepairer.Outcome(RepairAction.Kind.IN_SYNC, v.reason(), true));
                    case CONFLICT -> done(new KeyRepairer.Outcome(RepairAction.Kind.CONFLICT, v.reason(), false));
                    case DELETE_ALL -> stillPending(r).thenCompose(pending -> pending ? deleteAll(r, placement, path)
                            : done(new KeyRepairer.Outcome(RepairAction.Kind.SUPERSEDED,
                                    "called off by a later change of the container", true)));
                    default -> done(new KeyRepairer.Outcome(RepairAction.Kind.RETRY, v.reason(), false,
                            nextEmptySince));
                };
            });
        });
    }

    /**
     * Whether the drain is still recorded: a client's PUT or POST since calls it off by removing
     * the record, and the copies must then stay (read last, just before any copy is deleted).
     */
    private CompletableFuture<Boolean> stillPending(RepairRecord r) {
        return records.pendingFor(r.account(), r.container())
                .thenApply(entries -> entries.stream().anyMatch(e -> e.record().equals(r)));
    }

    /**
     * Deletes the other sites' copies, then this site's; re-creates what went too early on a 409.
     * First records the delete's clock here, stamped now, when every copy has just read empty: a
     * copy last changed before it that survives (a site that refused, then lost its record) is
     * left over, one changed later was made since (reconcile tells the two apart by it).
     */
    private CompletableFuture<KeyRepairer.Outcome> deleteAll(RepairRecord r, Placement placement, String path) {
        String here = fed.site().name();
        List<Site> order = new ArrayList<>(placement.sites().stream().filter(s -> !s.name().equals(here)).toList());
        placement.sites().stream().filter(s -> s.name().equals(here)).forEach(order::add);
        ChangeClock deleted = new ChangeClock(micros(clock.instant()), here);
        return clocks.recordDelete(r.account(), r.container(), deleted)
                .handle((v, err) -> {
                    if (err != null) {
                        log.warn("{}: the delete's clock was not stored ({}): a copy a site misses it at is brought"
                                + " back by reconcile", r.key(), err.getMessage());
                    }
                    return null;
                }).thenCompose(v -> deleteInTurn(r, placement, path, order, 0, new ArrayList<>()));
    }

    private CompletableFuture<KeyRepairer.Outcome> deleteInTurn(RepairRecord r, Placement placement, String path,
                                                                List<Site> order, int i, List<Site> deleted) {
        if (i == order.size()) {
            return done(new KeyRepairer.Outcome(RepairAction.Kind.DELETE, "deleted at " + order.stream()
                    .map(Site::name).toList() + " after every copy read empty twice", true));
        }
        Site s = order.get(i);
        if (i > 0 && i == order.size() - 1 && s.name().equals(fed.site().name())) {
            // this site's copy last: a client's PUT or POST through any replica here since the
            // first check removed the record, and wants the container kept
            return stillPending(r).handle((pending, err) -> err != null ? null : pending).thenCompose(pending -> {
                if (Boolean.TRUE.equals(pending)) {
                    return deleteCopyAt(r, placement, path, order, i, deleted);
                }
                // called off (or not known): the copies already deleted come back, as this one stays
                String why = pending == null ? "its record could not be read again before this site's copy"
                        : "called off by a later change of the container while its copies were deleted";
                return recreate(r, placement, path, deleted).thenApply(v -> new KeyRepairer.Outcome(pending == null
                        ? RepairAction.Kind.RETRY : RepairAction.Kind.SUPERSEDED, why + "; re-created "
                        + deleted.stream().map(Site::name).toList(), pending != null));
            });
        }
        return deleteCopyAt(r, placement, path, order, i, deleted);
    }

    /** Deletes the copy at {@code order[i]}, then goes on with the next. */
    private CompletableFuture<KeyRepairer.Outcome> deleteCopyAt(RepairRecord r, Placement placement, String path,
                                                              List<Site> order, int i, List<Site> deleted) {
        Site s = order.get(i);
        return call(s, new ClusterRequest("DELETE", path, Map.of(), new byte[0])).thenCompose(resp -> {
            if (resp.is2xx() || resp.status() == 404) {
                deleted.add(s);
                return deleteInTurn(r, placement, path, order, i + 1, deleted);
            }
            // Swift refused (409: an object arrived) or the site is away: whatever went already
            // comes back, so the copies that still hold objects can sync to it, and the drain
            // goes on under a record stamped after the re-creates (whose put times would
            // otherwise read as changes made after the delete).
            String why = "DELETE at " + s.name() + " answered " + resp.status();
            if (deleted.isEmpty()) {
                return done(new KeyRepairer.Outcome(RepairAction.Kind.RETRY, why + ", still draining", false));
            }
            String again = why + "; re-created " + deleted.stream().map(Site::name).toList();
            return recreate(r, placement, path, deleted).thenCompose(v -> redrain(r, again));
        });
    }

    /**
     * The drain goes on under a new record stamped now, and the old one is done; unless a
     * client's change called it off meanwhile (its record is gone: none is written again) or
     * that cannot be told (the old one stays, and its copies made again after it keep it from
     * deleting until an operator looks: a conflict at the deadline, nothing lost).
     */
    private CompletableFuture<KeyRepairer.Outcome> redrain(RepairRecord r, String why) {
        return stillPending(r).thenCompose(pending -> !pending
                ? done(new KeyRepairer.Outcome(RepairAction.Kind.SUPERSEDED, why + "; called off meanwhile", true))
                : records.record(List.of(new RepairRecord(r.account(), r.container(), RepairOp.CONTAINER_DRAIN,
                        r.target(), r.origin(), micros(clock.instant()), r.headers(), r.snapshot())))
                        .thenApply(names -> new KeyRepairer.Outcome(RepairAction.Kind.SUPERSEDED, why
                                + ", still draining as " + names.get(0), true)))
                .exceptionally(err -> new KeyRepairer.Outcome(RepairAction.Kind.RETRY, why + "; the drain could not"
                        + " go on under a new record (" + ClusterClient.cause(err).getMessage() + ")", false));
    }

    /**
     * Makes the copies at {@code again} anew from this site's copy as it is now (it is deleted
     * last, so it is there): a change a client made since the delete is in it, with the clocks
     * this site keeps for those values. Unreadable, the delete's snapshot goes instead, with only
     * the clocks from before the delete.
     */
    private CompletableFuture<Void> recreate(RepairRecord r, Placement placement, String path, List<Site> again) {
        if (again.isEmpty()) {
            return done(null);
        }
        Site here = siteOf(placement, fed.site().name());
        CompletableFuture<Map<String, String>> values = call(here, new ClusterRequest("HEAD", path, KeyRepairer.NEWEST,
                new byte[0])).thenApply(resp -> resp.is2xx() ? ReplicatedHeaders.snapshot(KeyRepairer.state(resp)
                .headers()) : null);
        return values.thenCombine(clocks.read(r.account(), r.container()).exceptionally(err -> Map.of()),
                (now, known) -> now != null ? recreate(r, placement, path, again, now, known)
                        : recreate(r, placement, path, again, r.snapshot(), before(known, r.stampMicros())))
                .thenCompose(f -> f);
    }

    private static Map<String, ChangeClock> before(Map<String, ChangeClock> clocks, long micros) {
        Map<String, ChangeClock> out = new TreeMap<>();
        clocks.forEach((h, c) -> {
            if (c.stampMicros() <= micros) {
                out.put(h, c);
            }
        });
        return out;
    }

    /** The values go with their clocks: a peer still has its clocks of the deleted copy. */
    private CompletableFuture<Void> recreate(RepairRecord r, Placement placement, String path, List<Site> again,
                                             Map<String, String> values, Map<String, ChangeClock> known) {
        List<CompletableFuture<ClusterResponse>> puts = new ArrayList<>();
        for (Site s : again) {
            Map<String, List<String>> h = new LinkedHashMap<>();
            values.forEach((k, v) -> h.put(k, List.of(v)));
            routes.syncTo(placement, s.name(), SwiftPath.quote(r.account()), SwiftPath.quote(r.container()))
                    .ifPresent(to -> {
                        h.put(ReplicatedHeaders.SYNC_TO, List.of(to));
                        h.put(ReplicatedHeaders.SYNC_KEY, List.of(fed.syncKeys().keyFor(r.account(), r.container())));
                    });
            if (!known.isEmpty() && !s.name().equals(fed.site().name())) {
                h.put(ClockHeaders.CLOCKS.toLowerCase(java.util.Locale.ROOT),
                        List.of(ChangeClock.formatAll(known)));
            }
            puts.add(call(s, new ClusterRequest("PUT", path, h, new byte[0])).thenApply(resp -> {
                if (!resp.is2xx()) {
                    log.error("{}: re-creating the copy at {} answered {}; still draining", r.key(), s.name(),
                            resp.status());
                }
                return resp;
            }));
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new));
    }

    /** The newest {@code last_modified} of the copy's objects, paging through its listing. */
    private CompletableFuture<Optional<Long>> newestObject(Site s, String path, String marker, Long best, int page) {
        String q = path + "?format=json&limit=" + PAGE
                + (marker.isEmpty() ? "" : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8));
        return call(s, new ClusterRequest("GET", q, Map.of(), new byte[0])).thenCompose(resp -> {
            if (!resp.is2xx()) {
                return CompletableFuture.failedFuture(new IOException("listing at " + s.name() + ": " + resp.status()));
            }
            Long newest = best;
            String last = null;
            int n = 0;
            try {
                for (JsonNode o : resp.body().length == 0 ? JSON.createArrayNode() : JSON.readTree(resp.body())) {
                    n++;
                    last = o.path("name").asText();
                    Long t = parseSwiftTime(o.path("last_modified").asText());
                    if (t != null && (newest == null || t > newest)) {
                        newest = t;
                    }
                }
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return n < PAGE || page + 1 >= MAX_PAGES ? done(Optional.ofNullable(newest))
                    : newestObject(s, path, last, newest, page + 1);
        });
    }

    /** Swift's listing time, {@code 2026-11-28T12:22:29.493640} in UTC, in microseconds; null if unreadable. */
    static Long parseSwiftTime(String t) {
        try {
            return micros(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private CompletableFuture<ClusterResponse> call(Site s, ClusterRequest req) {
        return sites.send(s, req);
    }

    private static Site siteOf(Placement p, String name) {
        return p.sites().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    private static <K, V> CompletableFuture<Map<K, V>> all(Map<K, CompletableFuture<V>> m) {
        return CompletableFuture.allOf(m.values().toArray(CompletableFuture[]::new)).thenApply(x -> {
            Map<K, V> out = new LinkedHashMap<>();
            m.forEach((k, f) -> out.put(k, f.join()));
            return out;
        });
    }

    private static <T> CompletableFuture<T> done(T t) {
        return CompletableFuture.completedFuture(t);
    }
}
