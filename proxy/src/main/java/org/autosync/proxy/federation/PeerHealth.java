package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.autosync.placement.PeerCircuit;
import org.autosync.placement.Site;
import org.autosync.placement.SiteOutcome;
import org.autosync.proxy.config.PeerHealthSettings;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this proxy knows of each peer site's health, from two sources: a health check every
 * {@code peer-health.interval} (the peer proxy's {@code /healthcheck}, which asks its cluster too)
 * and the outcome of every fan-out call. A peer that failed {@code open-after} times in a row is
 * down: the fan-out does not try it, so a site that is down costs a request nothing, until a
 * check succeeds. One mechanism, read by the fan-out, the repair worker and the status.
 */
public final class PeerHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerHealth.class);

    private final List<Site> peers;
    private final Function<Site, CompletableFuture<String>> check;
    private final PeerHealthSettings settings;
    private final Map<String, PeerCircuit> circuits = new ConcurrentHashMap<>();
    private final Map<String, String> lastProblem = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final List<java.util.function.Consumer<String>> onUp = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param check the health check of one peer: completes with null when healthy, else what is
     *              wrong (never exceptionally)
     */
    public PeerHealth(List<Site> peers, Function<Site, CompletableFuture<String>> check, PeerHealthSettings settings,
                      ProxyMetrics metrics) {
        this.peers = List.copyOf(requireNonNull(peers, "peers"));
        this.check = requireNonNull(check, "check");
        this.settings = requireNonNull(settings, "settings");
        for (Site s : this.peers) {
            circuits.put(s.name(), PeerCircuit.INITIAL);
            requireNonNull(metrics, "metrics").registerPeerUpGauge(s.name(), () -> isDown(s.name()) ? 0 : 1);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autosync-peer-health");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic checks (the first one now). */
    public void start() {
        long every = settings.interval().toMillis();
        timer.scheduleWithFixedDelay(this::checkAll, 0, every, TimeUnit.MILLISECONDS);
    }

    private void checkAll() {
        for (Site s : peers) {
            try {
                check.apply(s).whenComplete((problem, err) -> {
                    String why = err != null ? err.toString() : problem;
                    if (why != null) {
                        lastProblem.put(s.name(), why);
                    }
                    update(s.name(), why == null, why == null ? "health check passed" : why);
                });
            } catch (RuntimeException e) {
                // a task that throws is never run again: the only way back up for a down peer
                log.warn("peer {}: health check could not start: {}", s.name(), e.toString());
                update(s.name(), false, e.toString());
            }
        }
    }

    /** One fan-out call's outcome: only a failing site counts, not a refusal it answered. */
    public void report(SiteOutcome outcome) {
        if (outcome.kind() == SiteOutcome.Kind.DOWN || outcome.kind() == SiteOutcome.Kind.PENDING
                || !circuits.containsKey(outcome.site())
                // a kept-alive connection the peer (or a balancer) closed as we used it says nothing of the peer
                || "StaleConnection".equals(outcome.detail())) {
            return;
        }
        if (outcome.siteFailing()) {
            lastProblem.put(outcome.site(), outcome.label());
        }
        // a success of a call is as good as a passed check; a failure counts like a failed one
        update(outcome.site(), !outcome.siteFailing(), outcome.label());
    }

    private void update(String site, boolean success, String why) {
        PeerCircuit before = circuits.get(site);
        PeerCircuit after = circuits.compute(site, (k, c) -> c.after(success, settings.openAfter()));
        if (before.isDown() != after.isDown()) {
            if (after.isDown()) {
                log.warn("peer {} is down ({} failures in a row, last: {}): not tried until a health check passes",
                        site, after.failures(), why);
            } else {
                log.info("peer {} is up again ({})", site, why);
                for (java.util.function.Consumer<String> listener : onUp) {
                    try {
                        listener.accept(site);
                    } catch (RuntimeException e) {
                        log.warn("peer {}: a listener for its return failed: {}", site, e.toString());
                    }
                }
            }
        }
    }

    /** {@code listener} is told the name of each peer that comes back up (on the thread that saw it). */
    public void onUp(java.util.function.Consumer<String> listener) {
        onUp.add(requireNonNull(listener, "listener"));
    }

    /** Whether the fan-out should not try {@code site} now. */
    public boolean isDown(String site) {
        PeerCircuit c = circuits.get(site);
        return c != null && c.isDown();
    }

    /** The peers taken to be up now. */
    public Set<String> upPeers() {
        return peers.stream().map(Site::name).filter(n -> !isDown(n)).collect(Collectors.toSet());
    }

    /** Per peer: {@code up} or {@code down}, failures in a row, and the last problem seen. */
    public Map<String, Map<String, Object>> snapshot() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        for (Site s : peers) {
            PeerCircuit c = circuits.get(s.name());
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("health", c.isDown() ? "down" : "up");
            one.put("failures_in_a_row", c.failures());
            one.put("last_problem", lastProblem.get(s.name()));
            m.put(s.name(), one);
        }
        return m;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
