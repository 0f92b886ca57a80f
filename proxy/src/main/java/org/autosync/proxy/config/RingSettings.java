package org.autosync.proxy.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code autosync.ring}: when this site's copies sync around a peer that is down, and how fast
 * they are rewired.
 *
 * @param detourAfter how long a peer must be down without a break before it is routed around;
 *                    zero: never
 * @param returnAfter how long it must be up again before it is taken back into the ring
 * @param rewireRate  containers rewired a second at most (each makes Swift check the container's
 *                    objects against the new target)
 */
public record RingSettings(Duration detourAfter, Duration returnAfter, int rewireRate) {
    public RingSettings {
        requireNonNull(detourAfter, "detourAfter");
        requireNonNull(returnAfter, "returnAfter");
        if (detourAfter.isNegative() || returnAfter.isNegative()) {
            throw new IllegalArgumentException("detourAfter, returnAfter: must not be negative");
        }
        if (rewireRate < 1) {
            throw new IllegalArgumentException("rewireRate: must be at least 1");
        }
    }

    public static RingSettings defaults() {
        return new RingSettings(Duration.ofMinutes(10), Duration.ofMinutes(1), 20);
    }

    /** Whether a peer that is down is ever routed around. */
    public boolean detours() {
        return !detourAfter.isZero();
    }

    static RingSettings fromConfig(Config c) {
        Duration detour = duration(c, "ring.detour-after");
        if (!detour.isZero() && (detour.toSeconds() < 1 || detour.compareTo(java.time.Duration.ofDays(7)) > 0)) {
            throw new SettingsException("autosync.ring.detour-after", "must be 0 (never) or 1s to 7d");
        }
        Duration back = duration(c, "ring.return-after");
        if (back.compareTo(java.time.Duration.ofDays(1)) > 0) {
            throw new SettingsException("autosync.ring.return-after", "must be 0 to 1d");
        }
        int rate;
        try {
            rate = c.getInt("ring.rewire-rate");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.ring.rewire-rate", ex.getMessage());
        }
        if (rate < 1 || rate > 10_000) {
            throw new SettingsException("autosync.ring.rewire-rate", "must be 1 to 10000 (containers a second)");
        }
        return new RingSettings(detour, back, rate);
    }

    private static Duration duration(Config c, String key) {
        Duration d;
        try {
            d = c.getDuration(key);
        } catch (ConfigException ex) {
            throw new SettingsException("autosync." + key, ex.getMessage());
        }
        if (d.isNegative()) {
            throw new SettingsException("autosync." + key, "must not be negative");
        }
        return d;
    }
}
