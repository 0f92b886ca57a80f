package org.autosync.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {

    @Test
    void gaugesOverSuppliersStillReadAfterTheSuppliersAreOnlyHeldByTheRegistry() {
        ProxyMetrics metrics = new ProxyMetrics();
        long[] queued = {4096};
        int[] pool = {3, 2};
        metrics.registerClientQueueGauge(() -> queued[0]);
        metrics.registerPoolGauges(() -> pool[0], () -> pool[1]);
        collectGarbage();
        assertEquals(4096.0, metrics.registry().get("autosync.client.queued").gauge().value());
        assertEquals(3.0, metrics.registry().get("autosync.upstream.pool.connections").tag("state", "idle")
                .gauge().value());
        assertEquals(2.0, metrics.registry().get("autosync.upstream.pool.connections").tag("state", "active")
                .gauge().value());
    }

    @Test
    void bufferedBodiesAreScrapedUnderTheNamesReadmeGives() {
        ProxyMetrics metrics = new ProxyMetrics();
        long[] held = {1234};
        metrics.registerBufferedBodiesGauge(() -> held[0]);
        metrics.bodyRefused();
        String scrape = metrics.scrape();
        org.junit.jupiter.api.Assertions.assertTrue(scrape.contains("autosync_buffered_bodies_bytes 1234.0"), scrape);
        org.junit.jupiter.api.Assertions.assertTrue(scrape.contains("autosync_buffered_bodies_refused_total 1.0"),
                scrape);
    }

    /** Until an object reachable only weakly is gone: what clears a gauge's weak reference. */
    private static void collectGarbage() {
        WeakReference<Object> probe = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && probe.get() != null; i++) {
            System.gc();
        }
    }
}
