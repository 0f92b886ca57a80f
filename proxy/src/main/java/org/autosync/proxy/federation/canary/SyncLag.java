package org.autosync.proxy.federation.canary;

import java.util.OptionalDouble;

/**
 * What one look at a peer's canary, as it arrived here by container-sync, says: a pure function,
 * so the lag arithmetic is tested without a cluster.
 */
public final class SyncLag {
    private SyncLag() {
    }

    /**
     * Age of the newest canary from the peer seen here: how far this site is behind the peer's
     * writes (plus at most one canary interval). Never negative (clocks of two sites may differ
     * a little).
     */
    public static double ageSeconds(long writtenAtMillis, long nowMillis) {
        return Math.max(0, nowMillis - writtenAtMillis) / 1000.0;
    }

    /**
     * Whether this site is behind a peer: nothing written at the peer arrived here by sync for
     * longer than {@code staleAfter} (a lag not known yet is not). Swift forgets object deletes
     * after reclaim_age, so this site may never get some of the peer's.
     */
    public static boolean behind(double lagSeconds, java.time.Duration staleAfter) {
        return !Double.isNaN(lagSeconds) && lagSeconds > staleAfter.toMillis() / 1000.0;
    }

    /**
     * The delay of a canary seen here for the first time ({@code writtenAt} newer than the last
     * one seen): from its write at the peer to this look; empty when it is not new.
     */
    public static OptionalDouble newArrival(long lastSeenWrittenAtMillis, long writtenAtMillis, long nowMillis) {
        if (writtenAtMillis <= lastSeenWrittenAtMillis) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(ageSeconds(writtenAtMillis, nowMillis));
    }
}
