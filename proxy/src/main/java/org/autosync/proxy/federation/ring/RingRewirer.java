package org.autosync.proxy.federation.ring;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.autosync.placement.Placement;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.ContainerNames;
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
 * <p>A copy is never pointed at a site that is down now (a route not yet settled after a restart,
 * every other site of the ring away): it keeps the target it has, and a later full pass looks
 * again. Full passes (a HEAD of every ring copy) also run after any pass that failed in part,
 * once the routes have settled after a start, and every {@code reconcile.interval} (1 h when that
 * is 0), so a copy wired by another replica's or a command's older view comes back in line.
 *
 * <p>Nothing is lost by a rewiring: while the copy at a syncs past b to c, b gets no new objects
 * from a; when a's copy is pointed at b again Swift resets its sync points and offers b every
 * object of the container (those b has are skipped by their timestamp).
 */
public final class RingRewirer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RingRewirer.class);
    private static final long CALL_LIMIT_SECONDS = 60;
    private static final Duration MAX_RETRY_WAIT = Duration.ofMinutes(1);
    /** How soon a full pass looks again at copies left as they were because their target was down. */
    private static final Duration DEFERRED_LOOK_AGAIN = Duration.ofSeconds(30);

    /** The accounts to look through: the configured ones and every one Autosync has seen. */
    @FunctionalInterface
    public interface Accounts {
        List<String> get() throws InterruptedException;
    }

    private final FederationSettings fed;
    private final RingRoutes routes;
    private final Function<ClusterRequest, CompletableFuture<ClusterResponse>> local;
    private final Accounts accounts;
    private final Clock clock;
    private final ProxyMetrics metrics;
    private final boolean active;
    private final Duration fullPassEvery;
    private final ScheduledExecutorService timer;
    private final ExecutorService passer;
    private final AtomicBoolean passing = new AtomicBoolean();
    /** When the next full pass is due; a full pass compares every ring copy with a HEAD. */
    private volatile Instant fullPassAt;
    /** Routed around at the last pass that finished cleanly; null: the next pass is a full one. */
    private volatile Set<String> wiredAround;
    private volatile Instant retryAt = Instant.MIN;
    private volatile String lastProblem;
    private volatile Instant lastPass;
    private int failures; // on the rewire thread only

    /**
     * @param local   this site's Swift, as the service user
     * @param active  whether this replica rewires (else it only keeps the routes current)
     */
    public RingRewirer(FederationSettings fed, RingRoutes routes,
                       Function<ClusterRequest, CompletableFuture<ClusterResponse>> local, Accounts accounts,
                       boolean active, Clock clock, ProxyMetrics metrics) {
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.local = requireNonNull(local, "local");
        this.accounts = requireNonNull(accounts, "accounts");
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
        this.active = active;
        this.fullPassEvery = fed.reconcile().interval().isZero() ? Duration.ofHours(1) : fed.reconcile().interval();
        // the first full pass once every peer's route has settled: a peer down since the start is
        // routed around by then (copies pointing at a peer still down are kept in any case)
        Duration settle = fed.ring().detourAfter().compareTo(fed.ring().returnAfter()) > 0
                ? fed.ring().detourAfter() : fed.ring().returnAfter();
        this.fullPassAt = clock.instant().plus(settle).plus(fed.peerHealth().interval().multipliedBy(2));
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
        timer.scheduleWithFixedDelay(this::tickSafely, every, every, TimeUnit.MILLISECONDS);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            log.warn("ring: {}", e.toString());
        }
    }

    /**
     * One look at the peers, and a pass over this site's copies when the routes differ from those
     * the copies were last wired by, or a full pass is due. The pass runs on its own thread: a
     * long one does not hold the routes (which the fan-out reads) back.
     */
    void tick() {
        Instant now = clock.instant();
        Set<String> changed = routes.look(now);
        for (String site : changed) {
            log.warn(routes.isAround(site)
                    ? "ring: peer {} down for {}: this site's copies now sync around it"
                    : "ring: peer {} up for {}: this site's copies sync through it again",
                    site, routes.isAround(site) ? fed.ring().detourAfter() : fed.ring().returnAfter());
        }
        if (!active || now.isBefore(retryAt) || passing.get()) {
            return;
        }
        boolean full = !now.isBefore(fullPassAt);
        Set<String> before = wiredAround;
        if (!full && (before == null || before.equals(routes.around()))) {
            return; // nothing changed since the last clean pass (or the first full pass is not due)
        }
        if (passing.compareAndSet(false, true)) {
            passer.execute(this::passSafely);
        }
    }

    /** One pass, as {@link #tick()} decided, on the rewire thread. */
    void passSafely() {
        try {
            Instant now = clock.instant();
            boolean full = !now.isBefore(fullPassAt) || wiredAround == null;
            pass(full ? null : wiredAround);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            wiredAround = null; // some copies may have been rewired: the next pass looks at all
            lastProblem = e.toString();
        } finally {
            backOff();
            passing.set(false);
        }
    }

    /** After a pass that failed (in part), the next try waits twice as long as the last, up to a minute. */
    private void backOff() {
        if (lastProblem == null) {
            failures = 0;
            return;
        }
        failures = Math.min(failures + 1, 16);
        Duration wait = fed.peerHealth().interval().multipliedBy(1L << Math.min(failures, 10));
        if (wait.compareTo(MAX_RETRY_WAIT) > 0) {
            wait = MAX_RETRY_WAIT;
        }
        retryAt = clock.instant().plus(wait);
        fullPassAt = retryAt;
        log.warn("ring: rewiring failed ({} in a row), tried again in {}: {}", failures, wait, lastProblem);
    }

    /**
     * Rewires every copy here whose target differs from the routes now: all ring copies when
     * {@code before} is null (a full pass), else only those whose target with {@code before} differs.
     */
    private void pass(Set<String> before) throws InterruptedException {
        Set<String> around = routes.around();
        String here = fed.site().name();
        int rewired = 0;
        int failed = 0;
        int deferred = 0;
        long spacing = 1_000_000_000L / fed.ring().rewireRate();
        long nextPostAt = System.nanoTime();
        for (String account : accounts.get()) {
            for (String container : await(ContainerNames.of(local, account))) {
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
                // the routes' own rule for changes to an existing copy: empty when its target is down now
                boolean toDown = routes.targetForChange(p, here, a, c, false).isEmpty();
                long wait = nextPostAt - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                switch (rewire("/v1/" + a + "/" + c, want.get(), toDown)) {
                    case REWIRED -> {
                        rewired++;
                        metrics.ringRewired();
                        nextPostAt = System.nanoTime() + spacing;
                    }
                    case DEFERRED -> deferred++;
                    case FAILED -> failed++;
                    default -> { }
                }
            }
        }
        lastPass = clock.instant();
        if (rewired > 0 || failed > 0 || deferred > 0) {
            log.info("ring: {} containers rewired, {} failed, {} kept (their new target is down) (routed around: {})",
                    rewired, failed, deferred, around.isEmpty() ? "none" : around);
        }
        if (failed > 0) {
            wiredAround = null; // the next pass looks at every copy again
            lastProblem = failed + " containers could not be rewired";
            return;
        }
        lastProblem = null;
        if (deferred > 0) {
            wiredAround = null;
            fullPassAt = clock.instant().plus(DEFERRED_LOOK_AGAIN);
        } else {
            wiredAround = around;
            if (before == null) {
                fullPassAt = clock.instant().plus(fullPassEvery);
            }
        }
    }

    private enum Result { UNCHANGED, REWIRED, DEFERRED, FAILED }

    /**
     * Points the copy at {@code path} to {@code want} when it syncs somewhere else in this realm,
     * unless {@code want} names a site that is down now. A copy with no target, or one elsewhere,
     * is left alone: it is not synced by Autosync (a versioned container) or not yet wired, which
     * reconcile and repair see to.
     */
    private Result rewire(String path, String want, boolean wantIsDown) throws InterruptedException {
        ClusterResponse head = await(local.apply(new ClusterRequest("HEAD", path, Map.of(), new byte[0])));
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
        if (wantIsDown) {
            return Result.DEFERRED; // pointing it at a site that is down helps nobody, and resets it twice
        }
        ClusterResponse post = await(local.apply(new ClusterRequest("POST", path,
                Map.of(ReplicatedHeaders.SYNC_TO, List.of(want)), new byte[0])));
        if (!post.is2xx()) {
            log.warn("ring: POST {} (sync to {}) answered {} {}", path, want, post.status(), post.brief());
            return Result.FAILED;
        }
        log.debug("ring: {} syncs to {} (was {})", path, want, now);
        return Result.REWIRED;
    }

    /** Waits until no pass runs (tests drive {@link #tick()} and then wait here). */
    void awaitIdle() throws InterruptedException {
        while (passing.get()) {
            Thread.sleep(5);
        }
    }

    /** For {@code status}: the routes, the last pass, and what went wrong with it. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
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
