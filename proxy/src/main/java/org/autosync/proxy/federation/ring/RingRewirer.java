package org.autosync.proxy.federation.ring;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.autosync.placement.Placement;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.ContainerNames;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.route.SwiftPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this site's copies syncing around a peer that is down, and back through it once it
 * returns. Every peer-health interval it lets {@link RingRoutes} look at the peers' health; when
 * a route changes it reads this site's containers (every account Autosync knows) and POSTs the new
 * {@code X-Container-Sync-To} to each copy in a ring of three or more sites whose target changed,
 * at most {@code ring.rewire-rate} a second. Only this site's own copies: each site wires its
 * copies itself, so no site needs another's view, and nothing is decided twice. Every replica of
 * the site looks at the routes (its fan-out and repair write targets by them); only the first
 * ({@code repair.worker-index} 0) rewires.
 *
 * <p>Nothing is lost by a rewiring: while the copy at a syncs past b to c, b gets no new objects
 * from a; when a's copy is pointed at b again Swift resets its sync points and offers b every
 * object of the container (those b has are skipped by their timestamp). The copies rewired before
 * a restart are found again by a full pass once the routes have settled after the start.
 */
public final class RingRewirer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RingRewirer.class);
    private static final long CALL_LIMIT_SECONDS = 60;

    /** The accounts to look through: the configured ones and every one Autosync has seen. */
    @FunctionalInterface
    public interface Accounts {
        List<String> get() throws InterruptedException;
    }

    private final FederationSettings fed;
    private final RingRoutes routes;
    private final Predicate<String> isDown;
    private final LocalService local;
    private final Accounts accounts;
    private final Clock clock;
    private final ProxyMetrics metrics;
    private final boolean active;
    private final ScheduledExecutorService timer;
    private final Instant fullPassAt;
    /** Routed around at the last pass that finished; null: no pass yet, the next one looks at every copy. */
    private volatile Set<String> wiredAround;
    private final java.util.concurrent.atomic.AtomicBoolean passing = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ExecutorService passer;
    private volatile String lastProblem;
    private static final java.time.Duration MAX_RETRY_WAIT = java.time.Duration.ofMinutes(1);
    private volatile Instant retryAt = Instant.MIN;
    private int failures; // on the rewire thread only
    private volatile Instant lastPass;

    public RingRewirer(FederationSettings fed, RingRoutes routes, Predicate<String> isDown, LocalService local,
                       Accounts accounts, boolean active, Clock clock, ProxyMetrics metrics) {
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.isDown = requireNonNull(isDown, "isDown");
        this.local = requireNonNull(local, "local");
        this.accounts = requireNonNull(accounts, "accounts");
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        this.active = active;
        // the first full pass once every peer's route has settled: a peer down since the start is
        // routed around by then, so copies routed around before a restart are not wired back
        // through it (and around again: two sync-point resets) in the meantime
        java.time.Duration settle = fed.ring().detourAfter().compareTo(fed.ring().returnAfter()) > 0
                ? fed.ring().detourAfter() : fed.ring().returnAfter();
        this.fullPassAt = clock.instant().plus(settle).plus(fed.peerHealth().interval());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autosync-ring-routes");
            t.setDaemon(true);
            return t;
        });
        this.passer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "autosync-ring-rewire");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        long every = fed.peerHealth().interval().toMillis();
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * One look at the peers, and a pass over this site's copies when the routes differ from those
     * the copies were last wired by. The pass runs on its own thread: a long one does not hold
     * the routes (which the fan-out reads) back.
     */
    void tick() {
        Instant now = clock.instant();
        Set<String> changed = routes.look(isDown, now);
        for (String site : changed) {
            log.warn(routes.isAround(site)
                    ? "ring: peer {} down for {}: this site's copies now sync around it"
                    : "ring: peer {} up for {}: this site's copies sync through it again",
                    site, routes.isAround(site) ? fed.ring().detourAfter() : fed.ring().returnAfter());
        }
        Set<String> before = wiredAround;
        boolean wanted = !now.isBefore(retryAt) && (before == null ? !now.isBefore(fullPassAt)
                : !before.equals(routes.around()) || lastProblem != null);
        if (active && wanted && passing.compareAndSet(false, true)) {
            passer.execute(() -> {
                try {
                    pass(before);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    lastProblem = e.getMessage();
                } finally {
                    backOff();
                    passing.set(false);
                }
            });
        }
    }

    /** After a pass that failed (in part), the next try waits twice as long as the last, up to a minute. */
    private void backOff() {
        if (lastProblem == null) {
            failures = 0;
            retryAt = Instant.MIN;
            return;
        }
        failures = Math.min(failures + 1, 16);
        java.time.Duration wait = fed.peerHealth().interval().multipliedBy(1L << Math.min(failures, 10));
        if (wait.compareTo(MAX_RETRY_WAIT) > 0) {
            wait = MAX_RETRY_WAIT;
        }
        retryAt = clock.instant().plus(wait);
        log.warn("ring: rewiring failed ({} in a row), tried again in {}: {}", failures, wait, lastProblem);
    }

    /**
     * Rewires every copy here whose target differs from the routes now: all ring copies when
     * {@code before} is null, else only those whose target with {@code before} differs.
     */
    private void pass(Set<String> before) throws InterruptedException {
        Set<String> around = routes.around();
        String here = fed.site().name();
        int rewired = 0;
        int failed = 0;
        for (String account : accounts.get()) {
            for (String container : await(ContainerNames.of(local::send, account))) {
                Placement p = fed.policy().decide(account, container);
                if (p.size() < 3 || !p.contains(here)) {
                    continue; // with two sites there is nothing to route around to
                }
                String a = SwiftPath.quote(account);
                String c = SwiftPath.quote(container);
                Optional<String> want = routes.syncTo(p, here, a, c, around);
                if (want.isEmpty() || before != null && want.equals(routes.syncTo(p, here, a, c, before))) {
                    continue;
                }
                switch (rewire("/v1/" + a + "/" + c, want.get())) {
                    case REWIRED -> {
                        rewired++;
                        metrics.ringRewired();
                        Thread.sleep(1000L / fed.ring().rewireRate());
                    }
                    case FAILED -> failed++;
                    default -> { }
                }
            }
        }
        lastPass = clock.instant();
        if (rewired > 0 || failed > 0) {
            log.info("ring: {} containers rewired, {} failed (routed around: {})", rewired, failed,
                    around.isEmpty() ? "none" : around);
        }
        if (failed > 0) {
            lastProblem = failed + " containers could not be rewired";
            return; // the next tick goes over the same copies again
        }
        wiredAround = around;
        lastProblem = null;
    }

    private enum Result { UNCHANGED, REWIRED, FAILED }

    /**
     * Points the copy at {@code path} to {@code want} when it syncs somewhere else in this realm.
     * A copy with no target, or one elsewhere, is left alone: it is not synced by Autosync (a
     * versioned container) or not yet wired, which reconcile and repair see to.
     */
    private Result rewire(String path, String want) throws InterruptedException {
        ClusterResponse head = await(local.send(new ClusterRequest("HEAD", path, Map.of(), new byte[0])));
        if (head.status() == 404) {
            return Result.UNCHANGED; // deleted since the listing
        }
        if (!head.is2xx()) {
            log.warn("ring: HEAD {} answered {}", path, head.status());
            return Result.FAILED;
        }
        String now = head.header(ReplicatedHeaders.SYNC_TO);
        if (now == null || now.equals(want) || !now.startsWith("//" + fed.topology().realm() + "/")) {
            return Result.UNCHANGED;
        }
        ClusterResponse post = await(local.send(new ClusterRequest("POST", path,
                Map.of(ReplicatedHeaders.SYNC_TO, List.of(want)), new byte[0])));
        if (!post.is2xx()) {
            log.warn("ring: POST {} (sync to {}) answered {} {}", path, want, post.status(), post.brief());
            return Result.FAILED;
        }
        log.debug("ring: {} syncs to {} (was {})", path, want, now);
        return Result.REWIRED;
    }

    /** For {@code status}: the routes, the last pass, and what went wrong with it. */
    public Map<String, Object> status() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("peers", routes.snapshot());
        m.put("last_pass", lastPass == null ? null : lastPass.toString());
        m.put("last_problem", lastProblem);
        return m;
    }

    private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get(CALL_LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException(c instanceof IllegalStateException ? c.getMessage() : c.toString(), c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the local cluster gave no answer within " + CALL_LIMIT_SECONDS + " s", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        passer.shutdownNow();
    }
}
