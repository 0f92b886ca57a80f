package org.autosync.proxy.federation.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SyncLagTest {
    @Test
    void theAgeOfTheNewestCanaryIsTheLagAndNeverNegative() {
        assertEquals(4.5, SyncLag.ageSeconds(10_000, 14_500));
        assertEquals(0.0, SyncLag.ageSeconds(15_000, 14_500), "the writer's clock a little ahead");
    }

    @Test
    void thisSiteIsBehindAPeerOnceTheLagPassesStaleAfterAndNotBeforeItIsKnown() {
        java.time.Duration twoDays = java.time.Duration.ofDays(2);
        assertTrue(SyncLag.behind(172_801, twoDays));
        assertTrue(!SyncLag.behind(172_800, twoDays), "exactly stale-after is not yet");
        assertTrue(!SyncLag.behind(11.5, twoDays));
        assertTrue(!SyncLag.behind(Double.NaN, twoDays), "no canary and not wired yet: not known");
    }

    @Test
    void aCanaryCountsAsArrivedOnceWhenItIsNewer() {
        assertEquals(OptionalDouble.of(2.0), SyncLag.newArrival(Long.MIN_VALUE, 10_000, 12_000), "the first one");
        assertEquals(OptionalDouble.of(1.5), SyncLag.newArrival(10_000, 20_000, 21_500));
        assertTrue(SyncLag.newArrival(20_000, 20_000, 25_000).isEmpty(), "the same canary seen again");
        assertTrue(SyncLag.newArrival(20_000, 19_000, 25_000).isEmpty(), "an older copy read back");
    }
}
