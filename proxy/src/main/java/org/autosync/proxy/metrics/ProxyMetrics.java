package org.autosync.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The proxy's meters. The data path's counters are per-thread slots ({@link ThreadCounters})
 * that Micrometer sums when it is scraped; other meters are looked up once here, not per request.
 */
public final class ProxyMetrics {
    private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "OPTIONS", "other"};
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private static final int BYTES_IN = METHODS.length * CLASSES.length;
    private static final int BYTES_OUT = BYTES_IN + 1;

    private final PrometheusMeterRegistry registry;
    /** requests by method and class at {@code m * CLASSES.length + c}, then bytes in and out */
    private final ThreadCounters counts = new ThreadCounters(BYTES_OUT + 1);
    private final Timer upstreamLatency;
    private final AtomicInteger openClientConnections = new AtomicInteger();
    private final Counter upstreamConnects;
    private final Counter upstreamErrors;
    private final Counter bodiesRefused;

    public ProxyMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public ProxyMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        for (int m = 0; m < METHODS.length; m++) {
            for (int c = 0; c < CLASSES.length; c++) {
                int slot = m * CLASSES.length + c;
                FunctionCounter.builder("autosync.requests", counts, t -> t.sum(slot))
                        .description("Client requests answered, by method and status class")
                        .tag("method", METHODS[m]).tag("status", CLASSES[c]).register(registry);
            }
        }
        FunctionCounter.builder("autosync.client.bytes.received", counts, t -> t.sum(BYTES_IN)).baseUnit("bytes")
                .description("Request body bytes received from clients").register(registry);
        FunctionCounter.builder("autosync.client.bytes.sent", counts, t -> t.sum(BYTES_OUT)).baseUnit("bytes")
                .description("Response body bytes sent to clients").register(registry);
        upstreamLatency = Timer.builder("autosync.upstream.latency")
                .description("From the request sent upstream to the response status line")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        Gauge.builder("autosync.client.connections.open", openClientConnections, AtomicInteger::get)
                .description("Client connections open now").register(registry);
        upstreamConnects = Counter.builder("autosync.upstream.connects")
                .description("New connections opened to the local cluster").register(registry);
        bodiesRefused = Counter.builder("autosync.buffered.bodies.refused")
                .description("Request bodies refused because too many were being read at once").register(registry);
        upstreamErrors = Counter.builder("autosync.upstream.errors")
                .description("Requests that got no complete answer from the local cluster")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    // Gauges over suppliers hold them strongly: Micrometer's default weak reference lets a lambda
    // that nothing else holds be collected, and the gauge then reads NaN.
    public void registerPoolGauges(Supplier<Integer> idle, Supplier<Integer> leased) {
        Gauge.builder("autosync.upstream.pool.connections", idle, s -> s.get()).tag("state", "idle")
                .strongReference(true).description("Upstream connections in the pools").register(registry);
        Gauge.builder("autosync.upstream.pool.connections", leased, s -> s.get()).tag("state", "active")
                .strongReference(true).description("Upstream connections in the pools").register(registry);
    }

    /** Bytes read from the cluster that wait in the proxy for clients to take them. */
    public void registerClientQueueGauge(Supplier<Long> queuedBytes) {
        Gauge.builder("autosync.client.queued", queuedBytes, s -> s.get()).baseUnit("bytes")
                .strongReference(true).description("Response bytes waiting in the proxy for clients to read them")
                .register(registry);
    }

    /** Bytes of request bodies read whole and held now (see BodyBudget). */
    public void registerBufferedBodiesGauge(Supplier<Long> heldBytes) {
        Gauge.builder("autosync.buffered.bodies", heldBytes, s -> s.get()).baseUnit("bytes")
                .description("Request bodies read whole and held now").strongReference(true).register(registry);
    }

    /** A body refused because the bodies held together would pass autosync.fan-out.max-buffered. */
    public void bodyRefused() {
        bodiesRefused.increment();
    }

    public void requestDone(HttpMethod method, int status, long in, long out) {
        int c = status / 100 - 1;
        if (c < 0 || c >= CLASSES.length) {
            c = CLASSES.length - 1;
        }
        counts.add(methodIndex(method) * CLASSES.length + c, 1);
        if (in > 0) {
            counts.add(BYTES_IN, in);
        }
        if (out > 0) {
            counts.add(BYTES_OUT, out);
        }
    }

    public void upstreamLatency(long nanos) {
        upstreamLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void clientConnected() {
        openClientConnections.incrementAndGet();
    }

    public void clientDisconnected() {
        openClientConnections.decrementAndGet();
    }

    public void upstreamConnected() {
        upstreamConnects.increment();
    }

    public void upstreamError() {
        upstreamErrors.increment();
    }

    /** One fan-out's outcome per site, and each site's latency. */
    public void fanOut(String method, org.autosync.placement.FanOutResult result) {
        for (org.autosync.placement.SiteOutcome o : result.outcomes()) {
            Counter.builder("autosync.fanout").description("Fan-out requests by site and outcome")
                    .tag("method", method).tag("site", o.site()).tag("outcome", o.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry).increment();
            Timer.builder("autosync.fanout.latency").description("Per-site latency of fanned-out requests")
                    .tag("site", o.site()).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry).record(o.latency());
        }
        Counter.builder("autosync.fanout.results").description("Fan-outs by whether the consistency level was met")
                .tag("satisfied", Boolean.toString(result.satisfied())).register(registry).increment();
    }

    /** 1 while the peer site is taken to be up, 0 while the fan-out skips it as down. */
    public void registerPeerUpGauge(String site, Supplier<Integer> up) {
        io.micrometer.core.instrument.Gauge.builder("autosync.peer.up", up, u -> u.get())
                .strongReference(true).tag("site", site)
                .description("1 while the peer site passes its health checks and calls, 0 while it is skipped as down")
                .register(registry);
    }

    /** 1 while this site's copies sync past the peer site (routed around as down), 0 while they sync to it. */
    public void registerRingDetourGauge(String site, Supplier<Integer> around) {
        Gauge.builder("autosync.ring.detour", around, u -> u.get()).strongReference(true).tag("site", site)
                .description("1 while this site's copies route around the peer site in their sync rings")
                .register(registry);
        Counter.builder("autosync.ring.rewired").description("Containers of this site rewired around or back")
                .register(registry);
    }

    /** One container of this site whose sync target was changed around a down site or back. */
    public void ringRewired() {
        Counter.builder("autosync.ring.rewired").description("Containers of this site rewired around or back")
                .register(registry).increment();
    }

    /**
     * The last periodic reconcile: keys by outcome ({@code updated}, {@code unmodified},
     * {@code failed}, {@code conflicts}, and {@code deleted}, those of the updated whose left-over
     * copies were deleted), and when it ended. NaN before the first run.
     */
    public void registerReconcileGauges(java.util.function.Function<String, Double> byOutcome,
                                        Supplier<Double> endedEpochSeconds) {
        for (String outcome : new String[] {"updated", "unmodified", "failed", "conflicts", "deleted"}) {
            Gauge.builder("autosync.reconcile.last.keys", () -> byOutcome.apply(outcome)).tag("outcome", outcome)
                    .description("Keys of the last periodic reconcile, by outcome").strongReference(true)
                    .register(registry);
        }
        Gauge.builder("autosync.reconcile.last.end", endedEpochSeconds, s -> s.get()).baseUnit("seconds")
                .description("When the last periodic reconcile ended (Unix time)").strongReference(true)
                .register(registry);
    }

    /** Age of the newest canary of site {@code from} seen at {@code to}: how far {@code to} is behind. */
    public void registerSyncLagGauge(String from, String to, Supplier<Double> seconds) {
        Gauge.builder("autosync.sync.lag", seconds, s -> s.get()).baseUnit("seconds").tag("from", from).tag("to", to)
                .description("Age of the newest canary from site 'from' seen at site 'to' (container-sync lag)")
                .strongReference(true).register(registry);
    }

    /** A canary of {@code from} seen at {@code to} for the first time, {@code seconds} after it was written. */
    public void syncDelay(String from, String to, double seconds) {
        io.micrometer.core.instrument.DistributionSummary.builder("autosync.sync.delay").baseUnit("seconds")
                .description("Write at one site to first sight at another, per canary")
                .tag("from", from).tag("to", to)
                .serviceLevelObjectives(1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
                .register(registry).record(seconds);
    }

    /** A client's account or container change Autosync refused before any site was touched. */
    public void refused(org.autosync.proxy.federation.Admission.Reason reason) {
        Counter.builder("autosync.fanout.refused").description("Account and container changes refused up front")
                .tag("reason", reason.label()).register(registry).increment();
    }

    public void peerRejected(String category) {
        Counter.builder("autosync.peer.rejected").description("Peer requests refused (forged, stale, replayed ...)")
                .tag("reason", category).register(registry).increment();
    }

    /** Repair records: pending at this site, the oldest one's age, and those in conflict. */
    public void registerRepairGauges(Supplier<Integer> pending, Supplier<Double> oldestAgeSeconds,
                                     Supplier<Integer> conflicts) {
        Gauge.builder("autosync.repair.pending", pending, s -> s.get())
                .description("Repair records waiting at this site (all replicas)").strongReference(true)
                .register(registry);
        Gauge.builder("autosync.repair.oldest.age", oldestAgeSeconds, s -> s.get()).baseUnit("seconds")
                .description("Age of the oldest repair record").strongReference(true).register(registry);
        Gauge.builder("autosync.repair.conflicts", conflicts, s -> s.get())
                .description("Repair records left as they are and reported").strongReference(true).register(registry);
    }

    /**
     * Makes the repair and refusal counters exist at 0 before their first event, so that a
     * dashboard shows them and an alert on {@code increase()} sees the first one.
     */
    public void registerRepairCounters(java.util.Collection<String> outcomes) {
        outcomes.forEach(o -> Counter.builder("autosync.repair.records").description("Repair records handled, by outcome")
                .tag("outcome", o).register(registry));
        Counter.builder("autosync.repair.unrecorded").description("Fan-outs whose repair record could not be written")
                .register(registry);
    }

    /** The refusal counters, one per reason, at 0 from the start. */
    public void registerRefusalCounters(java.util.Collection<String> reasons) {
        reasons.forEach(r -> Counter.builder("autosync.fanout.refused")
                .description("Account and container changes refused up front").tag("reason", r).register(registry));
    }

    /** One repair record handled, by what became of it (in-sync, create, update, delete, retry, conflict ...). */
    public void repair(String outcome) {
        Counter.builder("autosync.repair.records").description("Repair records handled, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** A client change that could not be recorded for repair (the client was told to retry). */
    public void repairUnrecorded() {
        Counter.builder("autosync.repair.unrecorded").description("Fan-outs whose repair record could not be written")
                .register(registry).increment();
    }

    private static int methodIndex(HttpMethod method) {
        if (method == HttpMethod.GET) {
            return 0; // the decoder hands out the shared constant for the common methods
        }
        String name = method.name();
        for (int i = 0; i < METHODS.length - 1; i++) {
            if (METHODS[i].equals(name)) {
                return i;
            }
        }
        return METHODS.length - 1;
    }
}
