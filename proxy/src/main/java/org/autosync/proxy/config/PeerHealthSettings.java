package org.autosync.proxy.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code autosync.peer-health}: how each peer site is checked, and when the fan-out stops trying
 * it.
 *
 * @param interval  time between two health checks of a peer (its proxy's {@code /healthcheck},
 *                  which also asks that site's cluster)
 * @param openAfter failed calls or checks in a row after which the peer counts as down: not tried
 *                  by the fan-out (recorded for repair at once) until a check succeeds
 */
public record PeerHealthSettings(Duration interval, int openAfter) {
    public PeerHealthSettings {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: must be positive");
        }
        if (openAfter < 1) {
            throw new IllegalArgumentException("openAfter: must be at least 1");
        }
    }

    public static PeerHealthSettings defaults() {
        return new PeerHealthSettings(Duration.ofSeconds(2), 2);
    }

    static PeerHealthSettings fromConfig(Config c) {
        Duration interval;
        try {
            interval = c.getDuration("peer-health.interval");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.peer-health.interval", ex.getMessage());
        }
        if (interval.toMillis() < 100 || interval.toMinutes() > 10) {
            throw new SettingsException("autosync.peer-health.interval", "must be 100ms to 10m");
        }
        int openAfter;
        try {
            openAfter = c.getInt("peer-health.open-after");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.peer-health.open-after", ex.getMessage());
        }
        if (openAfter < 1 || openAfter > 100) {
            throw new SettingsException("autosync.peer-health.open-after", "must be 1 to 100");
        }
        return new PeerHealthSettings(interval, openAfter);
    }
}
