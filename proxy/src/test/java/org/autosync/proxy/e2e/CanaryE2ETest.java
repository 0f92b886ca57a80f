package org.autosync.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.function.DoublePredicate;
import org.autosync.proxy.AutosyncProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Sync lag measured by canaries on the real lab: with site b's swift-container-sync stopped, the
 * lag b->a (seen at a) grows while a->b (seen at b) stays low; started again, it falls back.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class CanaryE2ETest {
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static LabPair pair;
    private static AutosyncProxy proxyA;
    private static AutosyncProxy proxyB;

    @BeforeAll
    static void startPair() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        pair = LabPair.start("canary-e2e-sync-key-secret-01", "canary-e2e-peer-secret-0123456",
                "autosync.canary.interval = 1s\nautosync.repair.stale-after = 15s");
        proxyA = pair.a;
        proxyB = pair.b;
    }

    @AfterAll
    static void stopPair() {
        pair.close();
    }

    /** The lag gauge at {@code at} for canaries from {@code from}; NaN before the first one. */
    private static double lag(AutosyncProxy at, String from, String to) {
        for (String line : at.metrics().scrape().split("\n")) {
            if (line.startsWith("autosync_sync_lag_seconds{") && line.contains("from=\"" + from + "\"")
                    && line.contains("to=\"" + to + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static void await(String what, Duration max, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + max + "; b->a " + lag(proxyA, "b", "a") + " s, a->b "
                        + lag(proxyB, "a", "b") + " s");
            }
            Thread.sleep(500);
        }
    }

    /** Site {@code name} as {@code /status} of {@code at} shows it. */
    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> site(AutosyncProxy at, String name) throws Exception {
        return (java.util.Map<String, Object>) ((java.util.Map<String, Object>) at.federation().status().get()
                .get("sites")).get(name);
    }

    private static java.util.Map<String, Object> siteB(AutosyncProxy at) throws Exception {
        return site(at, "b");
    }

    private static boolean below(double v, double limit) {
        return !Double.isNaN(v) && v < limit;
    }

    @Test
    void theLagIntoASiteGrowsWhileTheOtherSitesSyncIsStoppedAndFallsBackAfter() throws Exception {
        // the lab syncs every 5 s: both directions settle under 12 s
        await("both lags measured and low", Duration.ofSeconds(60),
                () -> below(lag(proxyA, "b", "a"), 12) && below(lag(proxyB, "a", "b"), 12));
        assertEquals(false, siteB(proxyA).get("behind"), "b synced lately: " + siteB(proxyA));
        try (LabDaemon stopped = LabDaemon.pause("b", "container-sync")) {
            await("b->a lag growing past 20 s", Duration.ofSeconds(60), () -> lag(proxyA, "b", "a") > 20);
            assertTrue(below(lag(proxyB, "a", "b"), 12), "a->b stays low: " + lag(proxyB, "a", "b"));
            // b reachable and healthy, but nothing of b's arrived for longer than stale-after (15 s):
            // a is behind b (it may lack b's object deletes), while b is not behind a
            assertEquals(true, siteB(proxyA).get("behind"), "b->a past stale-after: " + siteB(proxyA));
            assertEquals(true, siteB(proxyA).get("reachable"));
            assertEquals(false, site(proxyB, "a").get("behind"), "a's writes still reach b: " + site(proxyB, "a"));
        }
        await("b->a lag falling back", Duration.ofSeconds(60), () -> below(lag(proxyA, "b", "a"), 12));
        String status = proxyA.federation().status().get().get("sync_lag_seconds").toString();
        assertTrue(status.contains("b->a"), status);
        assertEquals(false, siteB(proxyA).get("behind"), "synced again: " + siteB(proxyA));
    }
}
