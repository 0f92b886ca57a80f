package org.autosync.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Remembers the nonces of verified peer requests so that a captured request cannot be replayed.
 *
 * <p>Entries live {@code 2 * skew}: a request is accepted while its timestamp is within
 * {@code skew} of now in either direction, so one stamped {@code skew} in the future stays
 * acceptable for {@code 2 * skew} after it is first seen.
 *
 * <p>Memory is bounded by {@code maxEntries}. If more verified requests than that arrive within
 * one window, Caffeine evicts some entries early and a replay of an evicted request would be
 * accepted again. That needs a flood of requests that already carry a valid signature and a fresh
 * timestamp, i.e. from a holder of the peer secret; unsigned garbage never reaches this cache,
 * because {@link PeerVerifier} records a nonce only after the signature verified. Refusing when
 * full was rejected as the alternative: it would let a burst of legitimate traffic lock peers out.
 * {@link #DEFAULT_MAX_ENTRIES} covers 1000 peer requests/s over the default 120 s window with headroom.
 *
 * <p>Thread-safe.
 */
public final class NonceCache {

    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);
    /** 1000 requests/s * 120 s = 120 000 entries, plus two thirds headroom; roughly 200 bytes per entry. */
    public static final long DEFAULT_MAX_ENTRIES = 200_000;

    private final Duration retention;
    private final long maxEntries;
    private final Cache<String, Boolean> seen;

    public NonceCache() {
        this(DEFAULT_SKEW);
    }

    public NonceCache(Duration skew) {
        this(skew, DEFAULT_MAX_ENTRIES);
    }

    public NonceCache(Duration skew, long maxEntries) {
        this(skew, maxEntries, System::nanoTime);
    }

    /** @param nanoTime monotonic time source in nanoseconds; tests pass one they can advance */
    public NonceCache(Duration skew, long maxEntries, LongSupplier nanoTime) {
        Objects.requireNonNull(skew, "skew");
        Objects.requireNonNull(nanoTime, "nanoTime");
        if (skew.isNegative() || skew.isZero()) {
            throw new IllegalArgumentException("skew: must be positive");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: must be positive");
        }
        // a timestamp is whole seconds: one stamped `skew` ahead stays acceptable until 2 * skew + 1 s
        // after its first use
        this.retention = skew.multipliedBy(2).plusSeconds(1);
        this.maxEntries = maxEntries;
        this.seen = Caffeine.newBuilder()
                .expireAfterWrite(retention)
                .maximumSize(maxEntries)
                .ticker(nanoTime::getAsLong)
                // maintenance on the calling thread: no background tasks, deterministic in tests
                .executor(Runnable::run)
                .build();
    }

    /**
     * Records the nonce and says whether it was new.
     *
     * @return true the first time {@code (originSite, nonce)} is seen within the retention window,
     *         false if it was already recorded
     */
    public boolean firstSeen(String originSite, String nonce) {
        Objects.requireNonNull(originSite, "originSite");
        Objects.requireNonNull(nonce, "nonce");
        // '\n' cannot occur in either part (header values), so the key is unambiguous
        return seen.asMap().putIfAbsent(originSite + '\n' + nonce, Boolean.TRUE) == null;
    }

    /** How long a nonce is remembered: {@code 2 * skew}. */
    public Duration retention() {
        return retention;
    }

    public long maxEntries() {
        return maxEntries;
    }

    /** Approximate number of remembered nonces, for metrics. */
    public long estimatedSize() {
        seen.cleanUp();
        return seen.estimatedSize();
    }

    @Override
    public String toString() {
        return "NonceCache[retention=" + retention + ", maxEntries=" + maxEntries + "]";
    }
}
