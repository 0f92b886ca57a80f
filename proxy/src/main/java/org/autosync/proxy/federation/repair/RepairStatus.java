package org.autosync.proxy.federation.repair;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autosync.placement.repair.RepairAction;
import org.autosync.proxy.config.RepairSettings;

/**
 * The repair worker's view after its last pass: records pending (all of this site's, and this
 * replica's share), the oldest, the backlog per target site, conflicts, and how the pass went.
 */
public record RepairStatus(boolean enabled, int pending, int mine, int draining, Long oldestStampMicros,
                           Map<String, SiteBacklog> perSite, List<Conflict> conflicts, Instant lastPass,
                           Duration lastPassTook, Map<RepairAction.Kind, Integer> lastCounts, String lastError,
                           Duration staleAfter) {

    /**
     * Records for one target site: how many, the oldest, and the oldest of those waiting on the
     * site (null: every one is a conflict, which waits on an operator instead, and is no sign
     * that the site is away).
     */
    public record SiteBacklog(int pending, long oldestStampMicros, Long oldestWaitingMicros) {
        public SiteBacklog(int pending, long oldestStampMicros) {
            this(pending, oldestStampMicros, oldestStampMicros);
        }

        SiteBacklog plus(SiteBacklog o) {
            Long waiting = oldestWaitingMicros == null ? o.oldestWaitingMicros : o.oldestWaitingMicros == null
                    ? oldestWaitingMicros : Long.valueOf(Math.min(oldestWaitingMicros, o.oldestWaitingMicros));
            return new SiteBacklog(pending + o.pending, Math.min(oldestStampMicros, o.oldestStampMicros), waiting);
        }
    }

    /** The records pending: how many (this replica's share too), draining deletes, the oldest, per target site. */
    public record Backlog(int pending, int mine, int draining, Long oldestStampMicros, Map<String, SiteBacklog> perSite) {
        public Backlog {
            perSite = Map.copyOf(requireNonNull(perSite, "perSite"));
        }
    }

    /** A record left as it is because deciding it is not safe. */
    public record Conflict(String key, String site, String reason) {
    }

    public RepairStatus {
        perSite = Map.copyOf(requireNonNull(perSite, "perSite"));
        conflicts = List.copyOf(requireNonNull(conflicts, "conflicts"));
        lastCounts = Map.copyOf(requireNonNull(lastCounts, "lastCounts"));
        requireNonNull(staleAfter, "staleAfter");
    }

    static RepairStatus notYet(RepairSettings s) {
        return new RepairStatus(s.enabled(), 0, 0, 0, null, Map.of(), List.of(), null, Duration.ZERO, Map.of(), null,
                s.staleAfter());
    }

    public static RepairStatus off() {
        return notYet(RepairSettings.off());
    }

    /** With {@code n} records more pending: written since the pass's listing began. */
    RepairStatus plusRecent(int n) {
        return n == 0 ? this : new RepairStatus(enabled, pending + n, mine, draining, oldestStampMicros, perSite,
                conflicts, lastPass, lastPassTook, lastCounts, lastError, staleAfter);
    }

    /** With the backlog of a pass still running; the rest stays as of the last pass. */
    RepairStatus withBacklog(Backlog b) {
        return new RepairStatus(enabled, b.pending(), b.mine(), b.draining(), b.oldestStampMicros(), b.perSite(),
                conflicts, lastPass, lastPassTook, lastCounts, lastError, staleAfter);
    }

    RepairStatus withError(Instant when, String error) {
        return new RepairStatus(enabled, pending, mine, draining, oldestStampMicros, perSite, conflicts, when, lastPassTook,
                lastCounts, error, staleAfter);
    }

    /** Age of the oldest pending record in seconds; 0 when there is none. */
    public double oldestAgeSeconds(Instant now) {
        return oldestStampMicros == null ? 0 : Math.max(0, ageSeconds(now, oldestStampMicros));
    }

    private static double ageSeconds(Instant now, long stampMicros) {
        long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        return (nowMicros - stampMicros) / 1e6;
    }

    /** Plain maps and lists for JSON. */
    public Map<String, Object> toMap(Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", enabled);
        m.put("pending", pending);
        m.put("pending_this_replica", mine);
        m.put("draining_deletes", draining);
        m.put("oldest_age_seconds", Math.round(oldestAgeSeconds(now)));
        Map<String, Object> sites = new LinkedHashMap<>();
        perSite.forEach((site, b) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            double age = ageSeconds(now, b.oldestStampMicros());
            s.put("pending", b.pending());
            s.put("oldest_age_seconds", Math.round(age));
            // Swift forgets object deletes after reclaim_age: a site away this long may bring back
            // objects deleted elsewhere, or miss deletes: README, "Re-seeding a site".
            s.put("stale", b.oldestWaitingMicros() != null
                    && ageSeconds(now, b.oldestWaitingMicros()) > staleAfter.toSeconds());
            sites.put(site, s);
        });
        m.put("sites", sites);
        m.put("conflicts", conflicts.stream().map(c -> Map.of("key", c.key(), "site", c.site(), "reason", c.reason()))
                .toList());
        m.put("last_pass", lastPass == null ? null : lastPass.toString());
        m.put("last_pass_ms", lastPassTook.toMillis());
        Map<String, Integer> counts = new LinkedHashMap<>();
        lastCounts.forEach((k, v) -> counts.put(k.label(), v));
        m.put("last_pass_outcomes", counts);
        m.put("last_error", lastError);
        return m;
    }
}
