package org.autosync.proxy.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code autosync.repair}: where this site keeps its repair records and how its worker drains
 * them.
 *
 * @param enabled     record unconfirmed fan-out legs and repair them (needs service-credentials)
 * @param account     the Swift account, reserved for Autosync, that holds the records
 * @param interval    time between two passes over the records
 * @param maxBackoff  longest wait before a record that keeps failing is tried again
 * @param workers     how many proxy replicas of this site share the keys
 * @param workerIndex which share this replica takes (0-based, below workers)
 * @param staleAfter  a site with a record (not a conflict) older than this, or from which nothing
 *                    arrived by sync for longer, is flagged in status: Swift forgets object
 *                    deletes after reclaim_age (7 days by default)
 * @param syncPass    Swift's container-sync interval: a draining delete needs every copy empty
 *                    on two checks at least this far apart ({@code deletes.sync-interval})
 * @param drainDeadline a delete whose copies still hold objects this long after it is abandoned
 *                    and reported ({@code deletes.deadline})
 * @param concurrency keys repaired side by side (a key's own records one after the other)
 */
public record RepairSettings(boolean enabled, String account, Duration interval, Duration maxBackoff, int workers,
                             int workerIndex, Duration staleAfter, Duration syncPass, Duration drainDeadline,
                             int concurrency) {

    public RepairSettings {
        requireNonNull(account, "account");
        requireNonNull(interval, "interval");
        requireNonNull(maxBackoff, "maxBackoff");
        requireNonNull(staleAfter, "staleAfter");
        requireNonNull(syncPass, "syncPass");
        requireNonNull(drainDeadline, "drainDeadline");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency: must be at least 1");
        }
    }

    /** Repair off: what settings built in code (tests with stub sites) get unless they ask. */
    public static RepairSettings off() {
        return new RepairSettings(false, "AUTH_autosync", Duration.ofSeconds(5), Duration.ofMinutes(5), 1, 0,
                Duration.ofDays(2), Duration.ofSeconds(300), Duration.ofHours(1), 8);
    }

    public RepairSettings withEnabled(boolean on) {
        return new RepairSettings(on, account, interval, maxBackoff, workers, workerIndex, staleAfter, syncPass,
                drainDeadline, concurrency);
    }

    public RepairSettings withMaxBackoff(Duration d) {
        return new RepairSettings(enabled, account, interval, d, workers, workerIndex, staleAfter, syncPass,
                drainDeadline, concurrency);
    }

    public RepairSettings withInterval(Duration d) {
        return new RepairSettings(enabled, account, d, maxBackoff, workers, workerIndex, staleAfter, syncPass,
                drainDeadline, concurrency);
    }

    public RepairSettings withSyncPass(Duration d) {
        return new RepairSettings(enabled, account, interval, maxBackoff, workers, workerIndex, staleAfter, d,
                drainDeadline, concurrency);
    }

    public RepairSettings withConcurrency(int n) {
        return new RepairSettings(enabled, account, interval, maxBackoff, workers, workerIndex, staleAfter, syncPass,
                drainDeadline, n);
    }

    /** From the {@code autosync} block; errors name the key. */
    static RepairSettings fromConfig(Config c) {
        boolean enabled = bool(c, "repair.enabled");
        String account = FederationSettings.string(c, "repair.account", "autosync.repair.account");
        if (account.indexOf('/') >= 0 || !account.equals(account.strip())) {
            throw new SettingsException("autosync.repair.account", "must be one account name, not '" + account + "'");
        }
        Duration interval = positive(c, "repair.interval");
        if (interval.toMillis() < 100) {
            throw new SettingsException("autosync.repair.interval", "must be at least 100ms");
        }
        Duration maxBackoff = positive(c, "repair.max-backoff");
        if (maxBackoff.compareTo(interval) < 0) {
            throw new SettingsException("autosync.repair.max-backoff", "must be at least repair.interval ("
                    + interval + ")");
        }
        int workers = integer(c, "repair.workers");
        if (workers < 1) {
            throw new SettingsException("autosync.repair.workers", "must be at least 1");
        }
        int index = integer(c, "repair.worker-index");
        if (index < 0 || index >= workers) {
            throw new SettingsException("autosync.repair.worker-index", "must be 0 to " + (workers - 1)
                    + " (repair.workers is " + workers + ")");
        }
        Duration syncPass = positive(c, "deletes.sync-interval");
        Duration deadline = positive(c, "deletes.deadline");
        if (deadline.compareTo(syncPass.multipliedBy(2)) < 0) {
            throw new SettingsException("autosync.deletes.deadline", "must be at least twice deletes.sync-interval ("
                    + syncPass + "): the copies need two checks a sync pass apart");
        }
        int concurrency = integer(c, "repair.concurrency");
        if (concurrency < 1 || concurrency > 64) {
            throw new SettingsException("autosync.repair.concurrency", "must be 1 to 64");
        }
        return new RepairSettings(enabled, account, interval, maxBackoff, workers, index,
                positive(c, "repair.stale-after"), syncPass, deadline, concurrency);
    }

    /** A boolean under {@code autosync}; a bad value names its key. */
    static boolean bool(Config c, String path) {
        try {
            return c.getBoolean(path);
        } catch (ConfigException ex) {
            throw new SettingsException("autosync." + path, ex.getMessage());
        }
    }

    private static int integer(Config c, String path) {
        try {
            return c.getInt(path);
        } catch (ConfigException ex) {
            throw new SettingsException("autosync." + path, ex.getMessage());
        }
    }

    private static Duration positive(Config c, String path) {
        return FederationSettings.duration(c, path);
    }
}
