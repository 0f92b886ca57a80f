package org.autosync.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.autosync.placement.repair.ReconcileDecision.Verdict;
import org.autosync.proxy.federation.reconcile.ReconcileReport;
import org.junit.jupiter.api.Test;

/** What a person reads after {@code autosync reconcile}, and the JSON's details. */
class ReconcileCommandTest {
    private static ReconcileReport report(boolean dryRun, List<ReconcileReport.Detail> details, int leftOut) {
        return new ReconcileReport(Instant.parse("2026-11-29T10:00:00Z"), Duration.ofMillis(4200), dryRun, 2, 40, 1, 1,
                0, 44, 44, 1, 90, details, leftOut);
    }

    private static final List<ReconcileReport.Detail> DETAILS = List.of(
            new ReconcileReport.Detail("AUTH_test/new", Verdict.UPDATED, "missing at b: PUT at b 201"),
            new ReconcileReport.Detail("AUTH_test/gone", Verdict.UPDATED, "deleted: the empty copy at b is left over"),
            new ReconcileReport.Detail("AUTH_test/down", Verdict.FAILED, "b could not be read (connect-refused)"),
            new ReconcileReport.Detail("AUTH_test/both", Verdict.CONFLICT, "storage policies differ"));

    @Test
    void theSummarySaysWhatWasDoneAndListsEachContainerThatWasNotInSync() {
        String text = ReconcileCommand.render(report(false, DETAILS, 0), List.of("AUTH_test"));
        assertEquals("""
                reconcile: 44 of 44 containers in 1 account (4.2 s, 90 requests)
                sync: updated 2 (deleted 1), unmodified 40, failed 1, conflicts 1
                  updated   AUTH_test/new: missing at b: PUT at b 201
                  updated   AUTH_test/gone: deleted: the empty copy at b is left over
                  failed    AUTH_test/down: b could not be read (connect-refused)
                  conflict  AUTH_test/both: storage policies differ
                """, text);
    }

    @Test
    void aDryRunSaysItChangedNothingAndDetailsLeftOutAreCounted() {
        String text = ReconcileCommand.render(report(true, DETAILS.subList(0, 1), 3), List.of("AUTH_a", "AUTH_b"));
        assertTrue(text.startsWith("reconcile (dry run, nothing changed): 44 of 44 containers in 2 accounts"), text);
        assertTrue(text.contains("sync: would update 2 (would delete 1), unmodified 40"), text);
        assertTrue(text.endsWith("  ... and 3 more not listed (a run lists the first 1); run with --account to"
                + " narrow it\n"), text);
        Map<String, Object> json = report(true, DETAILS.subList(0, 1), 3).toMap(true);
        assertEquals(3, json.get("details_left_out"));
        assertEquals(1, ((List<?>) json.get("details")).size());
    }
}
