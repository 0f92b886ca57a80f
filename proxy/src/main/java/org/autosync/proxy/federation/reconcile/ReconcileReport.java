package org.autosync.proxy.federation.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autosync.placement.repair.ReconcileDecision;

/**
 * What one reconcile run found and did: the {@code sync} counts (updated, unmodified, failed,
 * conflicts), containers processed out of those listed, those of them whose copies left over
 * from a recorded delete were deleted (counted in updated, too), and a line per container that
 * was not simply in sync (the first 1,000 of a run; how many more were left out).
 */
public record ReconcileReport(Instant started, Duration took, boolean dryRun, int updated, int unmodified,
                              int failed, int conflicts, int pending, int processed, int total,
                              int deleted, long requests, List<Detail> details, int detailsLeftOut) {

    /** One container that was changed, could not be handled, or is in conflict. */
    public record Detail(String key, ReconcileDecision.Verdict verdict, String reason) {
    }

    public ReconcileReport {
        details = List.copyOf(details);
    }

    /** The JSON shape of {@code autosync reconcile --json} and of {@code /status}. */
    public Map<String, Object> toMap(boolean withDetails) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> sync = new LinkedHashMap<>();
        sync.put("updated", updated);
        sync.put("unmodified", unmodified);
        sync.put("failed", failed);
        sync.put("conflicts", conflicts);
        m.put("sync", sync);
        Map<String, Object> containers = new LinkedHashMap<>();
        containers.put("processed", processed);
        containers.put("total", total);
        containers.put("repair_pending", pending);
        containers.put("deleted", deleted);
        m.put("containers", containers);
        m.put("dry_run", dryRun);
        m.put("started", started.toString());
        m.put("seconds", took.toMillis() / 1000.0);
        m.put("requests", requests);
        if (withDetails) {
            m.put("details", details.stream().map(d -> Map.of("container", d.key(),
                    "result", d.verdict().name().toLowerCase(java.util.Locale.ROOT), "reason", d.reason())).toList());
            m.put("details_left_out", detailsLeftOut);
        }
        return m;
    }
}
