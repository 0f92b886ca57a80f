package org.autosync.proxy.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * {@code autosync.reconcile}: the periodic full reconcile of the containers this site owns (the
 * first site of their placement), and what {@code autosync reconcile} covers by default.
 *
 * @param interval    time between two runs in the proxy; zero: only by command
 * @param accounts    accounts always reconciled, besides those Autosync has fanned a change out for
 * @param concurrency containers handled at once
 * @param maxDeletes  a run that would delete more containers (copies left over from a delete
 *                    Autosync recorded) deletes none; also the command's default
 * @param keepDeletes how long the time of a container delete is kept for reconcile, as Swift
 *                    keeps its tombstones for reclaim_age
 */
public record ReconcileSettings(Duration interval, List<String> accounts, int concurrency, int maxDeletes,
                                Duration keepDeletes) {
    public ReconcileSettings {
        requireNonNull(interval, "interval");
        requireNonNull(keepDeletes, "keepDeletes");
        accounts = List.copyOf(requireNonNull(accounts, "accounts"));
    }

    public static ReconcileSettings defaults() {
        return new ReconcileSettings(Duration.ofHours(1), List.of(), 16, 100, Duration.ofDays(7));
    }

    static ReconcileSettings fromConfig(Config c) {
        Duration interval;
        try {
            interval = c.getDuration("reconcile.interval");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.reconcile.interval", ex.getMessage());
        }
        if (interval.isNegative() || !interval.isZero() && interval.toSeconds() < 1) {
            throw new SettingsException("autosync.reconcile.interval", "must be 0 (off) or at least 1s");
        }
        List<String> accounts;
        try {
            accounts = c.getStringList("reconcile.accounts");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.reconcile.accounts", ex.getMessage());
        }
        for (String a : accounts) {
            if (a.isBlank() || a.indexOf('/') >= 0 || !a.equals(a.strip())) {
                throw new SettingsException("autosync.reconcile.accounts", "'" + a + "' is not an account name");
            }
        }
        int concurrency = integer(c, "reconcile.concurrency");
        if (concurrency < 1 || concurrency > 256) {
            throw new SettingsException("autosync.reconcile.concurrency", "must be 1 to 256");
        }
        int maxDeletes = integer(c, "reconcile.max-deletes");
        if (maxDeletes < 0) {
            throw new SettingsException("autosync.reconcile.max-deletes", "must be 0 or more");
        }
        Duration keepDeletes = FederationSettings.duration(c, "reconcile.keep-deletes");
        if (keepDeletes.toHours() < 1) {
            throw new SettingsException("autosync.reconcile.keep-deletes", "must be at least 1h");
        }
        return new ReconcileSettings(interval, accounts, concurrency, maxDeletes, keepDeletes);
    }

    /** The integer at {@code autosync.<path>}; errors name the key. */
    private static int integer(Config c, String path) {
        try {
            return c.getInt(path);
        } catch (ConfigException ex) {
            throw new SettingsException("autosync." + path, ex.getMessage());
        }
    }
}
