package org.autosync.proxy.federation.reconcile;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.placement.repair.CopyState;
import org.autosync.placement.repair.ReconcileDecision;
import org.autosync.placement.repair.RepairAction;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.ClockHeaders;
import org.autosync.proxy.federation.ContainerNames;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.federation.PeerClient;
import org.autosync.proxy.federation.SiteCalls;
import org.autosync.proxy.federation.ring.RingRoutes;
import org.autosync.proxy.federation.repair.ChangeClocks;
import org.autosync.proxy.federation.repair.KeyRepairer;
import org.autosync.proxy.federation.repair.RepairJournal;
import org.autosync.proxy.route.SwiftPath;

/**
 * A full reconcile of the containers placed at this site: list every account's containers at
 * every site (paged JSON listings, peers through their proxies), HEAD each container's copies,
 * let {@link ReconcileDecision} decide, and carry out what it decided. Keys with a repair record
 * pending are left to repair. Calls run {@code concurrency} containers at a time.
 */
public final class Reconciler {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final int MAX_DETAILS = 1000;
    /** Old deletes this site drops per account and run: a backlog goes over a few runs. */
    private static final int MAX_DROPS = 1000;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Reconciler.class);
    private static final long CALL_LIMIT_SECONDS = 120;

    /**
     * What to reconcile and how. {@code maxDeletes}: a run that would delete more containers than
     * this deletes none of them (each is reported as failed); negative: no limit.
     */
    public record Options(List<String> accounts, boolean dryRun, boolean ownedOnly, int maxDeletes,
                          IntConsumer progress) {
        public Options {
            accounts = List.copyOf(accounts);
            requireNonNull(progress, "progress");
        }
    }

    private final FederationSettings fed;
    private final RingRoutes routes;
    private final LocalService local;
    private final PeerClient peers;
    private final SiteCalls sites;
    private final RepairJournal journal;
    private final ChangeClocks clocks;
    private final int concurrency;
    private final Clock clock;

    public Reconciler(FederationSettings fed, RingRoutes routes, LocalService local, PeerClient peers,
                      RepairJournal journal, ChangeClocks clocks, int concurrency, Clock clock) {
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.local = requireNonNull(local, "local");
        this.peers = requireNonNull(peers, "peers");
        this.sites = new SiteCalls(fed.site().name(), local, peers);
        this.journal = requireNonNull(journal, "journal");
        this.clocks = requireNonNull(clocks, "clocks");
        this.concurrency = concurrency;
        this.clock = requireNonNull(clock, "clock");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency: must be at least 1");
        }
    }

    /** The configured accounts and every account Autosync has fanned a change out for. */
    public List<String> knownAccounts() throws InterruptedException {
        Set<String> all = new TreeSet<>(fed.reconcileAccounts());
        all.addAll(await(journal.seenAccounts()));
        return List.copyOf(all);
    }

    /** Runs on the caller's thread until every container is handled. */
    public ReconcileReport run(Options o) throws InterruptedException {
        Instant started = clock.instant();
        Run run = new Run(o);
        Set<String> pending = new HashSet<>();
        for (String name : await(journal.names())) {
            pending.add(RepairRecord.keyHashOf(name));
        }
        for (String account : o.accounts()) {
            run.account(account, pending);
        }
        run.awaitAll();
        run.deleteLeftOvers();
        return new ReconcileReport(started, Duration.between(started, clock.instant()), o.dryRun(),
                run.updated.get(), run.unmodified.get(), run.failed.get(), run.conflicts.get(), run.pending.get(),
                run.processed.get(), run.total.get(), run.deleted.get(), run.requests.get(), run.details,
                run.detailsLeftOut.get());
    }

    /** The state of one run: counters, details, and the limit on containers in flight. */
    private final class Run {
        final Options options;
        final Semaphore inFlight = new Semaphore(concurrency);
        final AtomicInteger updated = new AtomicInteger();
        final AtomicInteger unmodified = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger conflicts = new AtomicInteger();
        final AtomicInteger pending = new AtomicInteger();
        final AtomicInteger processed = new AtomicInteger();
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger deleted = new AtomicInteger();
        final AtomicLong requests = new AtomicLong();
        final List<ReconcileReport.Detail> details = Collections.synchronizedList(new ArrayList<>());
        /** Details past {@link #MAX_DETAILS}: counted, not kept (a run over many containers stays small). */
        final AtomicInteger detailsLeftOut = new AtomicInteger();
        /** Copies left over from a recorded delete: deleted once every key is decided, if not too many. */
        final List<LeftOver> leftOvers = Collections.synchronizedList(new ArrayList<>());

        Run(Options options) {
            this.options = options;
        }

        void account(String account, Set<String> pendingHashes) throws InterruptedException {
            Set<String> names = new TreeSet<>();
            for (Site s : fed.sites().all()) {
                try {
                    names.addAll(await(ContainerNames.of(req -> call(s, req), account)));
                } catch (IllegalStateException e) {
                    failed.incrementAndGet();
                    detail(account, ReconcileDecision.Verdict.FAILED, "listing at " + s.name() + " failed: "
                            + e.getMessage() + "; containers only there are not seen this run");
                }
            }
            String here = fed.site().name();
            AccountDeletes deletes = deletesOf(account);
            accountMetadata(account);
            for (String container : names) {
                Placement p = fed.policy().decide(account, container);
                if (!p.contains(here) || options.ownedOnly() && !p.first().name().equals(here)) {
                    continue; // another site's to reconcile
                }
                total.incrementAndGet();
                if (pendingHashes.contains(RepairRecord.keyHash(account, container))) {
                    pending.incrementAndGet();
                    done();
                    continue;
                }
                if (p.size() == 1) {
                    unmodified.incrementAndGet();
                    done();
                    continue;
                }
                inFlight.acquire();
                container(account, container, p, deletes, true).whenComplete((v, err) -> {
                    if (err != null) {
                        failed.incrementAndGet();
                        detail(account + "/" + container, ReconcileDecision.Verdict.FAILED, err.toString());
                    }
                    done(); // before the permit: awaitAll must see every count
                    inFlight.release();
                });
            }
        }

        /** The account's own metadata and ACLs, compared across the sites of its placement. */
        private void accountMetadata(String account) throws InterruptedException {
            Placement p = fed.policy().decideAccount(account);
            String here = fed.site().name();
            if (p.size() < 2 || !p.contains(here) || options.ownedOnly() && !p.first().name().equals(here)) {
                return;
            }
            String path = "/v1/" + SwiftPath.quote(account);
            Set<String> peersPending = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Map<String, CompletableFuture<CopyState>> heads = heads(p, path, peersPending, false);
            inFlight.acquire();
            CompletableFuture.allOf(heads.values().toArray(CompletableFuture[]::new)).thenCompose(v -> {
                Map<String, CopyState> copies = new LinkedHashMap<>();
                heads.forEach((site, f) -> copies.put(site, f.join()));
                ReconcileDecision.Plan first = ReconcileDecision.decideAccount(copies, Map.of());
                return (first.clocksFrom().isEmpty() ? CompletableFuture.completedFuture(first)
                        : clocksAt(p, first.clocksFrom(), account, "", path, Map.of())
                                .thenApply(all -> ReconcileDecision.decideAccount(copies, all)))
                        .thenCompose(plan -> act(account, "", path, p, plan, peersPending, null, false));
            }).whenComplete((v, err) -> {
                if (err != null) {
                    failed.incrementAndGet();
                    detail(account, ReconcileDecision.Verdict.FAILED, err.toString());
                }
                inFlight.release();
            });
        }

        void awaitAll() throws InterruptedException {
            inFlight.acquire(concurrency);
            inFlight.release(concurrency);
        }

        /**
         * The deletes this run decided, held back until every key was decided: more than
         * {@code maxDeletes} of them (a wrong placement, a site's listing gone astray) and none is
         * carried out, so a mistake cannot empty a namespace.
         */
        void deleteLeftOvers() throws InterruptedException {
            List<LeftOver> all = List.copyOf(leftOvers);
            int max = options.maxDeletes();
            if (max >= 0 && all.size() > max) {
                for (LeftOver l : all) {
                    failed.incrementAndGet();
                    detail(l.key(), ReconcileDecision.Verdict.FAILED, "not deleted: this run would delete "
                            + all.size() + " containers, more than the " + max + " allowed (--max-deletes, "
                            + "reconcile.max-deletes); " + l.plan().reason());
                }
                return;
            }
            if (options.dryRun()) {
                for (LeftOver l : all) {
                    updated.incrementAndGet();
                    deleted.incrementAndGet();
                    detail(l.key(), ReconcileDecision.Verdict.UPDATED, "would delete it: " + l.plan().reason());
                }
                return;
            }
            for (LeftOver l : all) {
                inFlight.acquire();
                deleteLeftOver(l).whenComplete((v, err) -> {
                    if (err != null) {
                        failed.incrementAndGet();
                        detail(l.key(), ReconcileDecision.Verdict.FAILED, err.toString());
                    }
                    inFlight.release();
                });
            }
            awaitAll();
        }

        /** Reads and decides the key again, now: a copy PUT since is no longer left over. */
        private CompletableFuture<Void> deleteLeftOver(LeftOver l) {
            return container(l.account(), l.container(), l.placement(), l.deletes(), false);
        }

        /**
         * The container deletes every site took in the account, read once per run (a few
         * listings per site, not one per container). A delete taken during the run is still
         * pending at its site, and its key left to repair; these are for deletes whose records
         * are gone. A site whose deletes cannot be read fails the keys missing there. Deletes
         * older than {@code reconcile.keep-deletes} count as none, and this site drops its own
         * (not in a dry run), as Swift drops its tombstones after reclaim_age.
         */
        private AccountDeletes deletesOf(String account) throws InterruptedException {
            Map<String, Map<String, ChangeClock>> bySite = new LinkedHashMap<>();
            Map<String, String> unreadable = new LinkedHashMap<>();
            Instant now = clock.instant();
            long keptSince = (now.getEpochSecond() - fed.reconcile().keepDeletes().toSeconds()) * 1_000_000L;
            List<CompletableFuture<Void>> drops = new ArrayList<>();
            List<CompletableFuture<Void>> lanes = new ArrayList<>(); // a few drops at a time, not a page at once
            for (int i = 0; i < 4; i++) {
                lanes.add(CompletableFuture.completedFuture(null));
            }
            for (Site s : fed.sites().all()) {
                Map<String, ChangeClock> all = new java.util.HashMap<>();
                boolean here = s.name().equals(fed.site().name());
                try {
                    String marker = "";
                    do {
                        ChangeClocks.DeletePage page = await(deletesPage(s, account, marker));
                        page.deletes().forEach((c, d) -> {
                            if (d.stampMicros() >= keptSince) {
                                all.merge(c, d, (x, y) -> x.isNewerThan(y) ? x : y);
                            } else if (here && !options.dryRun() && drops.size() < MAX_DROPS) {
                                requests.incrementAndGet();
                                int lane = drops.size() % lanes.size();
                                CompletableFuture<Void> next = lanes.get(lane).thenCompose(v ->
                                        clocks.dropDelete(account, c, d).handle((x, e) -> null)); // next run again
                                lanes.set(lane, next);
                                drops.add(next);
                            }
                        });
                        marker = page.next();
                    } while (marker != null);
                    bySite.put(s.name(), all);
                } catch (IllegalStateException e) {
                    unreadable.put(s.name(), e.getMessage());
                }
            }
            try {
                await(CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new)));
            } catch (IllegalStateException e) {
                log.warn("reconcile of {}: dropping old deletes: {}; the next run drops the rest", account, e.getMessage());
            }
            return new AccountDeletes(bySite, unreadable);
        }

        private CompletableFuture<ChangeClocks.DeletePage> deletesPage(Site s, String account, String marker) {
            if (s.name().equals(fed.site().name())) {
                requests.incrementAndGet();
                return clocks.deletes(account, marker);
            }
            String value = marker.isEmpty() ? ClockHeaders.FIRST_PAGE
                    : java.net.URLEncoder.encode(marker, java.nio.charset.StandardCharsets.UTF_8);
            return call(s, new ClusterRequest("GET", "/v1/" + SwiftPath.quote(account) + "?format=json",
                    Map.of(ClockHeaders.WANT_DELETES.toLowerCase(java.util.Locale.ROOT), List.of(value)),
                    new byte[0])).thenApply(resp -> {
                        if (!resp.is2xx()) {
                            throw new IllegalStateException("deletes at " + s.name() + ": " + resp.status() + " "
                                    + resp.brief());
                        }
                        try {
                            return parseDeletes(resp.body());
                        } catch (IllegalArgumentException e) {
                            throw new IllegalStateException("deletes at " + s.name() + ": " + e.getMessage(), e);
                        }
                    });
        }

        private void done() {
            options.progress().accept(processed.incrementAndGet());
        }

        /** {@code deferDeletes}: a plan that deletes waits for the end of the run, and is decided again then. */
        private CompletableFuture<Void> container(String account, String container, Placement p,
                                                  AccountDeletes deletes, boolean deferDeletes) {
            String path = "/v1/" + SwiftPath.quote(account) + "/" + SwiftPath.quote(container);
            Set<String> peersPending = java.util.concurrent.ConcurrentHashMap.newKeySet();
            // the pass that may delete reads the newest of each site's container replicas
            Map<String, CompletableFuture<CopyState>> heads = heads(p, path, peersPending, !deferDeletes);
            return CompletableFuture.allOf(heads.values().toArray(CompletableFuture[]::new)).<Void>thenCompose(v -> {
                Map<String, CopyState> copies = new LinkedHashMap<>();
                heads.forEach((site, f) -> copies.put(site, f.join()));
                Map<String, Map<String, String>> sync = syncHeaders(p, account, container, copies);
                ReconcileDecision.Plan first = ReconcileDecision.decide(copies, sync);
                if (first.clocksFrom().isEmpty()) {
                    return act(account, container, path, p, first, peersPending, deletes, deferDeletes);
                }
                // the deletes of the sites without a copy are known from the run's start
                Map<String, Map<String, ChangeClock>> known = new LinkedHashMap<>();
                boolean deleted = false;
                for (String s : first.clocksFrom()) {
                    if (copies.get(s).presence() != CopyState.Presence.ABSENT) {
                        continue;
                    }
                    if (deletes.unreadable().containsKey(s)) {
                        return CompletableFuture.failedFuture(new IllegalStateException("missing at " + s
                                + ", whose recorded deletes could not be read: " + deletes.unreadable().get(s)));
                    }
                    ChangeClock d = deletes.bySite().getOrDefault(s, Map.of()).get(container);
                    known.put(s, d == null ? Map.of() : Map.of(ChangeClock.CONTAINER_DELETED, d));
                    deleted |= d != null;
                }
                if (!deleted && known.keySet().containsAll(first.clocksFrom())) {
                    return act(account, container, path, p, first, peersPending, deletes, deferDeletes); // no delete recorded
                }
                // only now ask the sites whose metadata differs when they changed what: their
                // change clocks may settle it
                return clocksAt(p, first.clocksFrom(), account, container, path, known).thenCompose(all ->
                        act(account, container, path, p, ReconcileDecision.decide(copies, sync, all), peersPending,
                                deletes, deferDeletes));
            });
        }

        /**
         * HEADs the key's copy at every site of the placement; each peer also says whether it has
         * repair records pending for the key ({@link ClockHeaders#PENDING}, from memory: no extra
         * request), and those that do are added to {@code peersPending}, so that a change another
         * site is still carrying out is not undone here. {@code newest}: Swift answers from the
         * newest of its replicas ({@code X-Newest}), not the first to answer, which may have
         * missed a later PUT.
         */
        private Map<String, CompletableFuture<CopyState>> heads(Placement p, String path, Set<String> peersPending,
                                                                boolean newest) {
            Map<String, CompletableFuture<CopyState>> heads = new LinkedHashMap<>();
            for (Site s : p.sites()) {
                Map<String, List<String>> h = new LinkedHashMap<>(newest ? KeyRepairer.NEWEST : Map.of());
                if (!s.name().equals(fed.site().name())) {
                    h.put(ClockHeaders.WANT_PENDING.toLowerCase(java.util.Locale.ROOT), List.of("1"));
                }
                heads.put(s.name(), call(s, new ClusterRequest("HEAD", path, h, new byte[0])).thenApply(resp -> {
                    if ("1".equals(resp.header(ClockHeaders.PENDING))) {
                        peersPending.add(s.name());
                    }
                    return KeyRepairer.state(resp);
                }));
            }
            return heads;
        }

        /**
         * The sites with repair records pending for the key: the peers by their answer to the HEAD
         * (one that cannot tell says nothing, and counts as none, as before it could), this site by
         * its journal, listed at most a repair interval ago.
         */
        private CompletableFuture<List<String>> pendingAt(String account, String container, Set<String> peers) {
            return journal.hasPending(account, container).thenApply(here -> {
                List<String> at = new ArrayList<>(new TreeSet<>(peers));
                if (here) {
                    at.add(0, fed.site().name());
                }
                return at;
            });
        }

        /**
         * The sync headers each copy must carry. A copy to be made gets the target the routes give;
         * one that exists keeps its own when that target names a site that is down now (or the
         * routes are not known): only its key is checked then.
         */
        private Map<String, Map<String, String>> syncHeaders(Placement p, String account, String container,
                                                             Map<String, CopyState> copies) {
            Map<String, Map<String, String>> sync = new LinkedHashMap<>();
            if (p.size() < 2) {
                return sync;
            }
            String key = fed.syncKeys().keyFor(account, container);
            for (Site s : p.sites()) {
                boolean create = copies.get(s.name()).presence() != CopyState.Presence.PRESENT;
                Optional<String> to = routes.targetForChange(p, s.name(), SwiftPath.quote(account),
                        SwiftPath.quote(container), create);
                sync.put(s.name(), to.isEmpty() ? Map.of(ReplicatedHeaders.SYNC_KEY, key)
                        : Map.of(ReplicatedHeaders.SYNC_TO, to.get(), ReplicatedHeaders.SYNC_KEY, key));
            }
            return sync;
        }

        /**
         * These sites' change clocks for the key ({@code container} "" for the account itself);
         * those already known ({@code known}: the deletes of the sites without a copy) are not
         * asked for.
         */
        private CompletableFuture<Map<String, Map<String, ChangeClock>>> clocksAt(
                Placement p, Set<String> which, String account, String container, String path,
                Map<String, Map<String, ChangeClock>> known) {
            Map<String, CompletableFuture<Map<String, ChangeClock>>> asked = new LinkedHashMap<>();
            for (Site s : p.sites()) {
                if (!which.contains(s.name())) {
                    continue;
                }
                if (known.containsKey(s.name())) {
                    asked.put(s.name(), CompletableFuture.completedFuture(known.get(s.name())));
                } else if (s.name().equals(fed.site().name())) {
                    requests.incrementAndGet();
                    asked.put(s.name(), clocks.read(account, container));
                } else {
                    asked.put(s.name(), call(s, new ClusterRequest("HEAD", path,
                            Map.of(ClockHeaders.WANT_CLOCKS.toLowerCase(java.util.Locale.ROOT), List.of("1")),
                            new byte[0])).thenApply(resp -> {
                                if (!resp.is2xx() && resp.status() != 404) {
                                    // no clocks is not the same as none: a delete there may be unseen
                                    throw new IllegalStateException("change clocks at " + s.name() + ": "
                                            + resp.status() + " " + resp.brief());
                                }
                                return parseClocks(resp);
                            }));
                }
            }
            return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
                Map<String, Map<String, ChangeClock>> m = new LinkedHashMap<>();
                asked.forEach((site, f) -> m.put(site, f.join()));
                return m;
            });
        }

        /** {@code deletes}: the account's recorded deletes, for a plan that deletes (null for the account itself). */
        private CompletableFuture<Void> act(String account, String container, String path, Placement p,
                                            ReconcileDecision.Plan plan, Set<String> peersPending,
                                            AccountDeletes deletes, boolean deferDeletes) {
            String key = container.isEmpty() ? account : account + "/" + container;
            switch (plan.verdict()) {
                case UNMODIFIED -> unmodified.incrementAndGet();
                case CONFLICT -> {
                    conflicts.incrementAndGet();
                    detail(key, plan.verdict(), plan.reason());
                }
                case FAILED -> {
                    failed.incrementAndGet();
                    detail(key, plan.verdict(), plan.reason());
                }
                case UPDATED -> {
                    // a record written since the run began (a delete taken meanwhile, here or at a
                    // peer) must be carried out by repair, not undone by a copy made from the rest
                    return pendingAt(account, container, peersPending).thenCompose(sites -> {
                        if (!sites.isEmpty()) {
                            pending.incrementAndGet(); // counted as the keys skipped up front are
                            return CompletableFuture.completedFuture(null);
                        }
                        boolean deletesCopies = plan.actions().stream()
                                .anyMatch(a -> a.kind() == RepairAction.Kind.DELETE);
                        if (deletesCopies && deferDeletes) {
                            leftOvers.add(new LeftOver(account, container, key, p, deletes, plan));
                            return CompletableFuture.completedFuture(null);
                        }
                        if (options.dryRun()) {
                            updated.incrementAndGet();
                            detail(key, plan.verdict(), "would do: " + plan.reason());
                            return CompletableFuture.completedFuture(null);
                        }
                        return carryOut(account, key, path, p, plan);
                    });
                }
                default -> throw new IllegalStateException(plan.verdict().name());
            }
            return CompletableFuture.completedFuture(null);
        }

        /**
         * Sends the plan's requests: at once, but a plan that deletes copies one site at a time,
         * stopping at the first refusal (an object arrived there), so copies that hold objects
         * are not left with fewer copies to sync with than need be.
         */
        private CompletableFuture<Void> carryOut(String account, String key, String path, Placement p,
                                                 ReconcileDecision.Plan plan) {
            boolean deletes = plan.actions().stream().anyMatch(a -> a.kind() == RepairAction.Kind.DELETE);
            List<CompletableFuture<String>> calls = new ArrayList<>();
            CompletableFuture<String> previous = CompletableFuture.completedFuture(null);
            for (ReconcileDecision.SiteAction a : plan.actions()) {
                if (deletes) {
                    previous = previous.thenCompose(error -> error != null ? CompletableFuture.completedFuture(error)
                            : send(account, path, p, a));
                    calls.add(previous);
                } else {
                    calls.add(send(account, path, p, a));
                }
            }
            return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenAccept(v -> {
                List<String> errors = calls.stream().map(CompletableFuture::join).filter(e -> e != null)
                        .distinct().toList();
                if (errors.isEmpty()) {
                    updated.incrementAndGet();
                    if (deletes) {
                        deleted.incrementAndGet();
                    }
                    detail(key, ReconcileDecision.Verdict.UPDATED, (deletes ? "deleted: " : "") + plan.reason());
                } else {
                    failed.incrementAndGet();
                    detail(key, ReconcileDecision.Verdict.FAILED, plan.reason() + ": " + String.join("; ", errors));
                }
            });
        }

        /** One site's request of a plan; null when it succeeded, else what went wrong. */
        private CompletableFuture<String> send(String account, String path, Placement p,
                                               ReconcileDecision.SiteAction a) {
            Site s = p.sites().stream().filter(x -> x.name().equals(a.site())).findFirst().orElseThrow();
            String method = switch (a.kind()) {
                case CREATE -> "PUT";
                case DELETE -> "DELETE"; // Swift's 409 keeps a copy that holds objects by now
                default -> "POST";
            };
            Map<String, List<String>> h = new LinkedHashMap<>();
            a.headers().forEach((k, v) -> h.put(k, List.of(v)));
            boolean here = s.name().equals(fed.site().name());
            if (!a.clocks().isEmpty() && !here) {
                h.put(ClockHeaders.CLOCKS.toLowerCase(java.util.Locale.ROOT),
                        List.of(ChangeClock.formatAll(a.clocks())));
            }
            return call(s, new ClusterRequest(method, path, h, new byte[0])).thenCompose(resp -> {
                if (!resp.is2xx() && !(method.equals("DELETE") && resp.status() == 404)) {
                    return CompletableFuture.completedFuture(method + " at " + s.name() + " answered "
                            + resp.status() + " " + resp.brief());
                }
                // a peer records the clocks it applied itself; here it is this run's to do
                return here && !a.clocks().isEmpty()
                        ? clocks.record(account, keyContainer(path), a.clocks()).handle((v, e) -> (String) null)
                        : CompletableFuture.completedFuture((String) null);
            });
        }

        private CompletableFuture<ClusterResponse> call(Site s, ClusterRequest req) {
            requests.incrementAndGet();
            return sites.send(s, req);
        }

        private void detail(String key, ReconcileDecision.Verdict verdict, String reason) {
            synchronized (details) {
                if (details.size() < MAX_DETAILS) {
                    details.add(new ReconcileReport.Detail(key, verdict, reason));
                    return;
                }
            }
            detailsLeftOut.incrementAndGet();
        }
    }

    /** A container whose copies left over from a recorded delete this run deletes at its end. */
    private record LeftOver(String account, String container, String key, Placement placement,
                            AccountDeletes deletes, ReconcileDecision.Plan plan) {
    }

    /** The container deletes each site took in one account (container -> newest), and the sites that could not say. */
    private record AccountDeletes(Map<String, Map<String, ChangeClock>> bySite, Map<String, String> unreadable) {
    }

    /**
     * A peer's page of deletes: {@code {"deletes": {container: clock}, "next": marker or null}}.
     * Anything else (a peer too old to know the question answers with Swift's listing) is
     * IllegalArgumentException: no deletes is not the same as deletes unknown.
     */
    static ChangeClocks.DeletePage parseDeletes(byte[] body) {
        com.fasterxml.jackson.databind.JsonNode j;
        try {
            j = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        if (j == null || !j.isObject() || !j.path("deletes").isObject()
                || !(j.path("next").isNull() || j.path("next").isTextual())) {
            throw new IllegalArgumentException("not a page of deletes");
        }
        Map<String, ChangeClock> m = new LinkedHashMap<>();
        j.path("deletes").fields().forEachRemaining(e -> m.put(e.getKey(), ChangeClock.parse(e.getValue().asText())));
        return new ChangeClocks.DeletePage(m, j.path("next").isTextual() ? j.path("next").asText() : null);
    }

    /**
     * The clocks a peer's answer carries; none when it carries none (a site with repair off keeps
     * none). Clocks it cannot read fail the key rather than count as none.
     */
    private static Map<String, ChangeClock> parseClocks(ClusterResponse resp) {
        try {
            return ChangeClock.parseAll(resp.header(ClockHeaders.CLOCKS));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("change clocks unreadable: " + e.getMessage(), e);
        }
    }

    /** The container a reconcile path names; "" for an account. */
    private static String keyContainer(String path) {
        String c = SwiftPath.parse(path).container();
        return c == null ? "" : c;
    }

    private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get(CALL_LIMIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException(c instanceof IllegalStateException ? c.getMessage() : c.toString(), c);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer within " + CALL_LIMIT_SECONDS + " s", e);
        }
    }
}
