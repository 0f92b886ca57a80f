package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.autosync.auth.NonceCache;
import org.autosync.auth.PeerSigner;
import org.autosync.auth.PeerVerifier;
import org.autosync.auth.ServiceIdentity;
import org.autosync.auth.TokenCache;
import org.autosync.placement.Site;
import org.autosync.proxy.cluster.ClusterAuthHttp;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.federation.check.Finding;
import org.autosync.proxy.federation.reconcile.ReconcileReport;
import org.autosync.proxy.federation.reconcile.Reconciler;
import org.autosync.proxy.federation.repair.ChangeClocks;
import org.autosync.proxy.federation.ring.RingRewirer;
import org.autosync.proxy.federation.ring.RingRoutes;
import org.autosync.proxy.federation.repair.KeyRepairer;
import org.autosync.proxy.federation.repair.RepairJournal;
import org.autosync.proxy.federation.repair.RepairRecords;
import org.autosync.proxy.federation.repair.RepairStatus;
import org.autosync.proxy.federation.repair.RepairWorker;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.route.RequestRouter;
import org.autosync.proxy.server.ExchangeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-site control plane of one proxy, a long-lived object: it owns the clients to the
 * local cluster and to the peers, the service token cache, the repair journal and its worker. It
 * gives the data path a router and operators a status. Without sites it is a plain
 * pass-through: the router streams everything and the status says so.
 */
public final class Federation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Federation.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STARTUP_CHECK_DELAY = Duration.ofSeconds(5);

    private final Settings settings;
    private final ProxyMetrics metrics;
    private final FederationSettings fed;       // null: one site, pass-through only
    private final ClusterClient http;           // null with fed
    private final PeerClient peers;             // null with fed
    private final PeerHealth health;            // null with fed
    private final LocalService service;         // null: no service identity here
    private final RepairJournal journal;        // null: repair off
    private final ChangeClocks clocks;          // null: repair off
    private final RepairWorker worker;          // null: repair off
    private final Reconciler reconciler;        // null: repair off
    private final org.autosync.proxy.federation.canary.CanaryWorker canaries; // null: off
    private final RingRoutes routes;            // null with fed
    private final RingRewirer rewirer;          // null: no service identity to rewire with
    private final java.util.concurrent.ScheduledExecutorService reconcileThread; // null: not periodic
    private volatile ReconcileReport lastReconcile;
    /** The topology check at start-up: null until it ran. */
    private volatile List<Finding> startupCheck;
    private volatile Thread startupChecker;
    private volatile String lastReconcileError;

    private Federation(Settings settings, ProxyMetrics metrics, EventLoopGroup group, Transport transport) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.fed = settings.federation();
        if (fed == null) {
            http = null;
            peers = null;
            health = null;
            service = null;
            journal = null;
            clocks = null;
            worker = null;
            reconciler = null;
            canaries = null;
            reconcileThread = null;
            routes = null;
            rewirer = null;
            return;
        }
        Clock clock = Clock.systemUTC();
        http = new ClusterClient(group, transport.clientChannel(), fed.peerConnectTimeout(),
                org.autosync.proxy.tls.ClientTls.create(settings.tls()));
        peers = new PeerClient(http, new PeerSigner(fed.site().name(), fed.peerSecrets().current(), clock),
                fed.peerResponseTimeout());
        health = new PeerHealth(fed.sites().all().stream().filter(s -> !s.name().equals(fed.site().name())).toList(),
                this::probe, fed.peerHealth(), metrics);
        List<String> peerNames = fed.sites().all().stream().map(Site::name)
                .filter(n -> !n.equals(fed.site().name())).toList();
        // with two sites there is nothing to route around to: no detours, nothing shown as one
        routes = new RingRoutes(fed.topology(), peerNames, fed.sites().all().size() < 3
                ? new org.autosync.proxy.config.RingSettings(Duration.ZERO, fed.ring().returnAfter(),
                        fed.ring().rewireRate()) : fed.ring(), health::isDown, clock.instant());
        for (String p : peerNames) {
            metrics.registerRingDetourGauge(p, () -> routes.isAround(p) ? 1 : 0);
        }
        ServiceIdentity identity = fed.serviceIdentity();
        service = identity == null ? null : new LocalService(http, settings.localCluster(),
                new TokenCache(identity.login(new ClusterAuthHttp(http, fed.peerResponseTimeout()), clock), clock),
                settings.responseHeaderTimeout(), fed.site().name());
        if (fed.repair().enabled()) {
            journal = new RepairJournal(service, fed.repair().account(), fed.repair().interval());
            clocks = new ChangeClocks(service, fed.repair().account());
            worker = new RepairWorker(journal, new KeyRepairer(fed, routes, service, peers, clocks, journal, clock),
                    fed.repair(),
                    metrics, clock, this::downPeers);
            reconciler = new Reconciler(fed, routes, service, peers, journal, clocks, fed.reconcile().concurrency(),
                    clock);
        } else {
            journal = null;
            clocks = null;
            worker = null;
            reconciler = null;
        }
        if (reconciler != null) {
            metrics.registerReconcileGauges(outcome -> {
                ReconcileReport r = lastReconcile;
                if (r == null) {
                    return Double.NaN;
                }
                return (double) switch (outcome) {
                    case "updated" -> r.updated();
                    case "unmodified" -> r.unmodified();
                    case "failed" -> r.failed();
                    case "deleted" -> r.deleted();
                    default -> r.conflicts();
                };
            }, () -> {
                ReconcileReport r = lastReconcile;
                return r == null ? Double.NaN : r.started().plus(r.took()).toEpochMilli() / 1000.0;
            });
        }
        canaries = service == null || fed.canaryInterval().isZero() ? null
                : new org.autosync.proxy.federation.canary.CanaryWorker(fed, routes, service, fed.canaryInterval(),
                        fed.repair().workerIndex() == 0, clock, metrics);
        if (service == null) {
            rewirer = null;
        } else {
            Reconciler known = reconciler;
            rewirer = new RingRewirer(fed, routes, service::send,
                    known != null ? known::knownAccounts : fed::reconcileAccounts,
                    fed.repair().workerIndex() == 0, clock, metrics);
        }
        // one replica of a site reconciles (as one rewires and writes canaries): replicas running
        // the same run side by side would act on the same keys at once
        reconcileThread = reconciler == null || fed.reconcile().interval().isZero()
                || fed.repair().workerIndex() != 0 ? null
                : java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "autosync-reconcile");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Builds the parts; nothing runs until {@link #start()}. */
    public static Federation create(Settings settings, ProxyMetrics metrics, EventLoopGroup group,
                                    Transport transport) {
        return new Federation(settings, metrics, requireNonNull(group, "group"), requireNonNull(transport, "transport"));
    }

    /** The data path's decision per request: stream it, fan it out, apply it for a peer, or refuse it. */
    public ExchangeFactory router(ExchangeFactory passThrough) {
        if (fed == null) {
            return new RequestRouter(passThrough, null, null, null, 64 * 1024, budget(FederationSettings.DEFAULT_MAX_BUFFERED),
                    metrics, null);
        }
        Clock clock = Clock.systemUTC();
        RepairRecords records = journal == null ? RepairRecords.NONE : journal;
        FanOutExecutor fanOut = new FanOutExecutor(fed, routes, http, settings.localCluster(),
                settings.responseHeaderTimeout(), peers, metrics, records, clocks,
                service == null ? null : new SiteCalls(fed.site().name(), service, peers), clock, health);
        Set<String> known = fed.sites().all().stream().map(Site::name)
                .filter(n -> !n.equals(fed.site().name())).collect(Collectors.toSet());
        PeerVerifier verifier = new PeerVerifier(fed.site().name(), known, fed.peerSecrets().forVerifying(),
                fed.peerMaxSkew(), clock, new NonceCache(fed.peerMaxSkew()));
        // forward mode: peers' requests carry the client's own token, judged by this cluster
        LocalService forPeers = fed.authMode(fed.site().name()) == org.autosync.auth.AuthMode.OVERRIDE ? service : null;
        PeerApply apply = new PeerApply(http, settings.localCluster(), forPeers, clocks, records,
                settings.responseHeaderTimeout(), fed.site().name(), ownSyncTarget);
        return new RequestRouter(passThrough, fanOut, verifier, apply, fed.maxBody(), budget(fed.maxBuffered()), metrics,
                fed.repair().enabled() ? fed.repair().account() : null,
                settings.listenTls() != null && settings.listenTls().requiresPeerCertificates());
    }

    private org.autosync.proxy.exchange.BodyBudget budget(long limit) {
        org.autosync.proxy.exchange.BodyBudget b = new org.autosync.proxy.exchange.BodyBudget(limit);
        metrics.registerBufferedBodiesGauge(b::held);
        return b;
    }

    /** The target this site gives its own copy of a container a peer changes (see {@link PeerApply.OwnSyncTarget}). */
    private final PeerApply.OwnSyncTarget ownSyncTarget = new PeerApply.OwnSyncTarget() {
        @Override
        public boolean wiresHere(String account, String container) {
            org.autosync.placement.Placement p = fed.policy().decide(account, container);
            return p.size() > 1 && p.contains(fed.site().name());
        }

        @Override
        public java.util.Optional<String> of(String account, String container, boolean create) {
            return routes.targetForChange(fed.policy().decide(account, container), fed.site().name(),
                    org.autosync.proxy.route.SwiftPath.quote(account),
                    org.autosync.proxy.route.SwiftPath.quote(container), create);
        }
    };

    /**
     * Starts the background work: peer health, ring routes, canaries, repair, the periodic
     * reconcile, and the start-up check.
     */
    public void start() {
        if (fed != null) {
            Thread t = new Thread(this::checkAtStartUp, "autosync-startup-check");
            t.setDaemon(true);
            startupChecker = t;
            t.start();
        }
        if (health != null) {
            health.start();
        }
        if (rewirer != null) {
            rewirer.start();
        }
        if (canaries != null) {
            canaries.start();
        }
        if (reconcileThread != null) {
            long every = fed.reconcile().interval().toMillis();
            // the first run after one interval: a proxy that restarts often does not reconcile each time
            reconcileThread.scheduleWithFixedDelay(this::reconcileOwned, every, every,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        if (worker != null) {
            // what a peer missed while it was down goes as soon as it is back, not at the next pass
            health.onUp(site -> worker.wake());
            worker.start();
            log.info("repair: records in {}/{} at the local cluster, a pass every {}, keys share {} of {}",
                    fed.repair().account(), RepairJournal.CONTAINER, fed.repair().interval(),
                    fed.repair().workerIndex(), fed.repair().workers());
        } else if (fed != null) {
            log.warn("repair is off (autosync.repair.enabled = false): a change a site misses is reported, "
                    + "never repaired");
        }
    }

    /**
     * {@code autosync check} without the sync probe, once, as warnings: a site that cannot be
     * reached, a realm or cluster name its Swift does not know. After a short wait, since the
     * peers are often started at the same time; a peer still starting is reported and comes up
     * in the peer health once it answers.
     */
    private void checkAtStartUp() {
        try {
            Thread.sleep(STARTUP_CHECK_DELAY.toMillis());
            List<Finding> found = topologyCheck().run(null, Duration.ZERO);
            startupCheck = found;
            List<Finding> failed = found.stream().filter(f -> !f.ok()).toList();
            if (failed.isEmpty()) {
                log.info("check at start-up: all {} passed (autosync check --account A also probes the sync)",
                        found.size());
            }
            for (Finding f : failed) {
                log.warn("check at start-up: {}: {} (fix: {})", f.what(), f.detail(), f.fix());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("check at start-up could not run: {}", e.toString());
        }
    }

    /** One periodic reconcile: the containers this site owns, in every known account. */
    private void reconcileOwned() {
        try {
            ReconcileReport r = reconciler.run(new Reconciler.Options(reconciler.knownAccounts(), false, true,
                    fed.reconcile().maxDeletes(), n -> { }));
            lastReconcile = r;
            lastReconcileError = null;
            log.info("reconcile: {} containers, {} updated ({} deleted), {} unmodified, {} failed, {} conflicts, "
                    + "{} left to repair, {} s", r.processed(), r.updated(), r.deleted(), r.unmodified(), r.failed(),
                    r.conflicts(), r.pending(), r.took().toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastReconcileError = e.getMessage();
            log.warn("reconcile failed: {}", e.getMessage());
        }
    }

    /** This site's ring routes (the reconcile command takes the running proxy's into them). */
    public RingRoutes ringRoutes() {
        return routes;
    }

    /** The reconcile engine, when repair is on (the command and tests run it). */
    public Reconciler reconciler() {
        return reconciler;
    }

    /** {@code autosync check}: the topology in the configuration against the sites as they are. */
    public org.autosync.proxy.federation.check.TopologyCheck topologyCheck() {
        if (fed == null) {
            throw new IllegalStateException("no autosync.sites: no topology to check");
        }
        return new org.autosync.proxy.federation.check.TopologyCheck(fed, settings.localCluster(), http,
                service == null ? null : new SiteCalls(fed.site().name(), service, peers));
    }

    /** {@code autosync status --container}: one container compared object by object across its sites. */
    public org.autosync.proxy.federation.drift.ContainerDrift containerDrift() {
        if (fed == null || service == null) {
            throw new IllegalStateException("needs autosync.sites and service-credentials");
        }
        return new org.autosync.proxy.federation.drift.ContainerDrift(fed,
                new SiteCalls(fed.site().name(), service, peers), 100_000);
    }

    /** This site's repair records ({@link RepairRecords#NONE} when repair is off). */
    public RepairRecords repairRecords() {
        return journal == null ? RepairRecords.NONE : journal;
    }

    /** The repair worker, when repair is on (tests drive passes with it). */
    /** This site's change clocks; null when repair is off. */
    public ChangeClocks changeClocks() {
        return clocks;
    }

    public RepairWorker repairWorker() {
        return worker;
    }

    public RepairStatus repairStatus() {
        return worker == null ? RepairStatus.off() : worker.status();
    }

    /**
     * What {@code /status} and {@code autosync status} show: this site, each peer's reachability
     * (a GET of its {@code /healthcheck} through its proxy, now), and the repair backlog.
     */
    public CompletableFuture<Map<String, Object>> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        java.time.Instant now = java.time.Instant.now();
        if (fed == null) {
            m.put("site", null);
            m.put("sites", Map.of());
            m.put("repair", RepairStatus.off().toMap(now));
            return CompletableFuture.completedFuture(m);
        }
        m.put("site", fed.site().name());
        Map<String, CompletableFuture<String>> probes = new LinkedHashMap<>();
        for (Site s : fed.sites().all()) {
            probes.put(s.name(), probe(s));
        }
        List<CompletableFuture<String>> all = new ArrayList<>(probes.values());
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, Object> sites = new LinkedHashMap<>();
            probes.forEach((name, p) -> {
                String problem = p.join();
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("reachable", problem == null);
                if (problem != null) {
                    s.put("problem", problem);
                }
                sites.put(name, s);
            });
            health.snapshot().forEach((name, h) -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> site = (Map<String, Object>) sites.get(name);
                site.putAll(h);
                if (canaries != null) {
                    // this site behind the peer: nothing of the peer's arrived here by sync for longer
                    // than Swift may keep the peer's object deletes (README, "Re-seeding a site")
                    site.put("behind", canaries.behind(name, fed.repair().staleAfter()));
                }
            });
            m.put("sites", sites);
            m.put("sync_lag_seconds", canaries == null ? null : canaries.lagIntoThisSite());
            Map<String, Object> ring = rewirer != null ? rewirer.status() : new LinkedHashMap<>(Map.of("peers",
                    routes.snapshot()));
            m.put("ring", ring);
            m.put("repair", repairStatus().toMap(now));
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("interval_seconds", fed.reconcile().interval().toSeconds());
            rec.put("runs", reconcileRunner());
            rec.put("last", lastReconcile == null ? null : lastReconcile.toMap(false));
            rec.put("last_error", lastReconcileError);
            m.put("reconcile", rec);
            m.put("startup_check", startupCheckStatus());
            return m;
        });
    }

    /**
     * Who runs the periodic reconcile, as {@code /status} says it: {@code here}, {@code first-replica}
     * (another replica of this site), {@code by-command} (reconcile.interval = 0) or {@code off}
     * (repair is off, and reconcile with it).
     */
    private String reconcileRunner() {
        if (reconcileThread != null) {
            return "here";
        }
        if (reconciler == null) {
            return "off";
        }
        return fed.reconcile().interval().isZero() ? "by-command" : "first-replica";
    }

    /** The start-up check's failures (what, detail, fix) and how many passed; null before it ran. */
    private Map<String, Object> startupCheckStatus() {
        List<Finding> found = startupCheck;
        if (found == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passed", found.stream().filter(Finding::ok).count());
        m.put("failed", found.stream().filter(f -> !f.ok()).map(f -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("what", f.what());
            one.put("detail", f.detail());
            one.put("fix", f.fix());
            return one;
        }).toList());
        return m;
    }

    /** The peers whose health checks fail now (the repair worker leaves their records waiting). */
    private CompletableFuture<Set<String>> downPeers() {
        Set<String> down = new java.util.HashSet<>(fed.sites().all().stream().map(Site::name).toList());
        down.remove(fed.site().name());
        down.removeAll(health.upPeers());
        return CompletableFuture.completedFuture(down);
    }

    /** Null when the site's proxy and cluster answer their healthcheck, else what went wrong. */
    private CompletableFuture<String> probe(Site s) {
        java.net.URI base = s.name().equals(fed.site().name()) ? settings.localCluster() : s.url();
        return http.send(base, new ClusterRequest("GET", "/healthcheck", Map.of(), new byte[0]), PROBE_TIMEOUT)
                .handle((resp, err) -> {
                    if (err != null) {
                        Throwable t = ClusterClient.cause(err);
                        return t instanceof ClusterClient.TimeoutException ? "timeout"
                                : t instanceof java.net.ConnectException ? "connection refused"
                                : t.getClass().getSimpleName();
                    }
                    return resp.status() == 200 ? null : "healthcheck answered " + resp.status();
                });
    }

    @Override
    public void close() {
        Thread checker = startupChecker;
        if (checker != null) {
            checker.interrupt();
        }
        if (health != null) {
            health.close();
        }
        if (canaries != null) {
            canaries.close();
        }
        if (rewirer != null) {
            rewirer.close();
        }
        if (reconcileThread != null) {
            reconcileThread.shutdownNow();
        }
        if (worker != null) {
            worker.close();
        }
        if (http != null) {
            http.closeIdle();
        }
    }
}
