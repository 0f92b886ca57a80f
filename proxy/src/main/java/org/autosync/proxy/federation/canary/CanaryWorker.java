package org.autosync.proxy.federation.canary;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.federation.ring.RingRoutes;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.route.SwiftPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures real end-to-end sync lag between the sites. Every {@code canary.interval} this site
 * writes its canary object ({@code <site>}, its write time in {@code X-Object-Meta-Written-At})
 * into the container {@code autosync-canary} of the repair account, which Autosync keeps at every
 * site with container-sync wired around the ring of all sites, and hidden from clients (the
 * repair account answers 403). Swift's own sync daemons carry the canaries; nothing else does.
 * Each site then reads, in its own copy, the canary of every other site: its age is how far this
 * site is behind that one. Only the first replica of a site ({@code repair.worker-index} 0)
 * writes; every replica reads.
 */
public final class CanaryWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CanaryWorker.class);
    public static final String CONTAINER = "autosync-canary";
    static final String WRITTEN_AT = "x-object-meta-written-at";

    private final FederationSettings fed;
    private final RingRoutes routes;
    private final LocalService local;
    private final Duration interval;
    private final boolean writer;
    private final Clock clock;
    private final ProxyMetrics metrics;
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    /** The sync target this site's copy was last wired to; null: not wired (again) yet. */
    private volatile String wiredTo;
    /** When this site's copy was first wired: until a peer's first canary arrives, its lag counts from here. */
    private volatile long wiredAt;

    public CanaryWorker(FederationSettings fed, RingRoutes routes, LocalService local, Duration interval,
                        boolean writer, Clock clock, ProxyMetrics metrics) {
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.local = requireNonNull(local, "local");
        this.interval = requireNonNull(interval, "interval");
        this.writer = writer;
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        String here = fed.site().name();
        for (Site s : fed.sites().all()) {
            if (!s.name().equals(here)) {
                metrics.registerSyncLagGauge(s.name(), here, () -> lagSeconds(s.name()));
            }
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autosync-canary");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::pass, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One round: the container wired (again when the ring routes around a site that is down, or
     * back), this site's canary written, every other site's read.
     */
    void pass() {
        try {
            String to = syncTo().orElse("");
            if (!to.equals(wiredTo)) {
                wiredTo = wire(to) ? to : null;
                if (wiredTo != null && wiredAt == 0) {
                    wiredAt = clock.millis();
                }
            }
            if (writer && wiredTo != null) {
                write();
            }
            read();
        } catch (RuntimeException e) {
            log.warn("canary: {}", e.toString());
        }
    }

    private String path() {
        return "/v1/" + SwiftPath.quote(fed.repair().account()) + "/" + CONTAINER;
    }

    /** The next site of the ring of all sites, as this site routes it now; empty with one site. */
    private Optional<String> syncTo() {
        return routes.syncTo(new Placement(fed.sites().all()), fed.site().name(),
                SwiftPath.quote(fed.repair().account()), CONTAINER);
    }

    /** This site's copy of the canary container, syncing to {@code to} ("": nowhere). */
    private boolean wire(String to) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        if (!to.isEmpty()) {
            h.put(ReplicatedHeaders.SYNC_TO, List.of(to));
            h.put(ReplicatedHeaders.SYNC_KEY, List.of(fed.syncKeys().keyFor(fed.repair().account(), CONTAINER)));
        }
        ClusterResponse r = local.send(new ClusterRequest("PUT", path(), h, new byte[0])).join();
        if (!r.is2xx()) {
            log.warn("canary: creating {} at this site answered {}", path(), r.status());
        }
        return r.is2xx();
    }

    private void write() {
        long now = clock.millis();
        ClusterResponse r = local.send(new ClusterRequest("PUT", path() + "/" + fed.site().name(),
                Map.of(WRITTEN_AT, List.of(Long.toString(now)), "content-type", List.of("text/plain")),
                Long.toString(now).getBytes(java.nio.charset.StandardCharsets.US_ASCII))).join();
        if (r.status() == 404) {
            wiredTo = null; // deleted under us: wired again next round
        }
        if (!r.is2xx()) {
            log.warn("canary: writing this site's canary answered {}", r.status());
        }
    }

    private void read() {
        String here = fed.site().name();
        for (Site s : fed.sites().all()) {
            if (s.name().equals(here)) {
                continue;
            }
            ClusterResponse r = local.send(new ClusterRequest("HEAD", path() + "/" + s.name(), Map.of(),
                    new byte[0])).join();
            String v = r.is2xx() ? r.header(WRITTEN_AT) : null;
            if (v == null) {
                continue; // none arrived yet: the gauge stays NaN, or grows from the last one seen
            }
            long writtenAt;
            try {
                writtenAt = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                continue;
            }
            long now = clock.millis();
            SyncLag.newArrival(lastSeen.getOrDefault(s.name(), Long.MIN_VALUE), writtenAt, now).ifPresent(d -> {
                lastSeen.put(s.name(), writtenAt);
                metrics.syncDelay(s.name(), here, d);
            });
        }
    }

    /**
     * Age of the newest canary of {@code from} seen here, growing while none arrives; before the
     * first one ever arrives (sync wired wrong from the start), counted from when this site was
     * wired; NaN before that.
     */
    private double lagSeconds(String from) {
        Long at = lastSeen.get(from);
        long since = at != null ? at : wiredAt;
        return since == 0 ? Double.NaN : SyncLag.ageSeconds(since, clock.millis());
    }

    /**
     * Whether this site is behind {@code peer}: nothing written there has arrived here by sync
     * for longer than {@code staleAfter}, its newest canary seen here (from when this site was
     * wired, if none ever came) being older. Unknown yet: false.
     */
    public boolean behind(String peer, java.time.Duration staleAfter) {
        return SyncLag.behind(lagSeconds(peer), staleAfter);
    }

    /** Per peer site, the age in seconds of its newest canary seen here. */
    public Map<String, Double> lagIntoThisSite() {
        Map<String, Double> m = new LinkedHashMap<>();
        String here = fed.site().name();
        for (Site s : fed.sites().all()) {
            double v = s.name().equals(here) ? Double.NaN : lagSeconds(s.name());
            if (!Double.isNaN(v)) {
                m.put(s.name() + "->" + here, v);
            }
        }
        return m;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
