package org.autosync.placement.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.autosync.placement.repair.DrainDecision.Step;
import org.autosync.placement.repair.DrainDecision.Verdict;
import org.junit.jupiter.api.Test;

class DrainDecisionTest {
    private static final long DELETED_AT = 1_000_000_000L;
    private static final Duration PASS = Duration.ofSeconds(300);
    private static final Duration DEADLINE = Duration.ofHours(1);
    private static final RepairRecord DRAIN = new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_DRAIN, "a", "a",
            DELETED_AT, Set.of(), Map.of("x-container-meta-color", "blue"));

    private static CopyState holding(long objects) {
        return CopyState.present(Map.of("X-Container-Object-Count", Long.toString(objects)));
    }

    private static Map<String, CopyState> copies(CopyState a, CopyState b) {
        Map<String, CopyState> m = new LinkedHashMap<>();
        m.put("a", a);
        m.put("b", b);
        return m;
    }

    private static Verdict decide(Map<String, CopyState> copies, Map<String, Long> newest, long secondsAfter,
                                  Long emptySince) {
        return DrainDecision.decide(DRAIN, copies, newest, DELETED_AT + secondsAfter * 1_000_000L, emptySince, PASS,
                DEADLINE);
    }

    @Test
    void aCopyStillHoldingObjectsIsWaitedFor() {
        Verdict v = decide(copies(holding(0), holding(3)), Map.of("b", DELETED_AT - 5), 10, null);
        assertEquals(Step.WAIT, v.step());
        assertEquals("draining: b (3 objects)", v.reason());
        assertFalse(v.emptyNow());
    }

    @Test
    void everyCopyEmptyTheFirstTimeStartsTheSyncPassClock() {
        Verdict v = decide(copies(holding(0), holding(0)), Map.of(), 10, null);
        assertEquals(Step.EMPTY_ONCE, v.step());
        assertTrue(v.emptyNow());
    }

    @Test
    void emptyAgainBeforeASyncPassHasGoneByWaits() {
        long firstEmpty = DELETED_AT + 10_000_000L;
        Verdict v = decide(copies(holding(0), holding(0)), Map.of(), 10 + 299, firstEmpty);
        assertEquals(Step.WAIT, v.step());
        assertTrue(v.emptyNow(), "the clock keeps running");
    }

    @Test
    void emptyTwiceASyncPassApartDeletesEverywhere() {
        long firstEmpty = DELETED_AT + 10_000_000L;
        assertEquals(Step.DELETE_ALL, decide(copies(holding(0), holding(0)), Map.of(), 10 + 300, firstEmpty).step());
    }

    @Test
    void aChangeStillOnItsWayFromASiteKeepsEveryCopy() {
        // a client's PUT through b after the delete, whose leg to a did not arrive: b says so
        long firstEmpty = DELETED_AT + 10 * 1_000_000L;
        Verdict v = DrainDecision.decide(DRAIN, copies(holding(0), holding(0)), Map.of(),
                DELETED_AT + 400 * 1_000_000L, firstEmpty, PASS, DEADLINE, java.util.List.of("b"));
        assertEquals(Step.WAIT, v.step(), v.reason());
        assertFalse(v.emptyNow(), "the checks start over once it has arrived (no recheck every instant meanwhile)");
        assertTrue(v.reason().contains("b holds a change of the container still to arrive here"), v.reason());
        assertEquals(Step.DELETE_ALL, DrainDecision.decide(DRAIN, copies(holding(0), holding(0)), Map.of(),
                DELETED_AT + 400 * 1_000_000L, firstEmpty, PASS, DEADLINE, java.util.List.of()).step(),
                "once it has arrived (and not called the delete off), the copies go");
    }

    private static CopyState emptyLastModified(long secondsAfterTheDelete) {
        String t = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.Instant
                .ofEpochSecond(DELETED_AT / 1_000_000L + secondsAfterTheDelete).atZone(java.time.ZoneOffset.UTC));
        return CopyState.present(Map.of("X-Container-Object-Count", "0", "Last-Modified", t));
    }

    @Test
    void aCopyChangedAfterTheDeleteIsKeptUntilTheChangeCallsItOffAndReportedAtTheDeadline() {
        // a client's POST through b after the delete, applied at b, its leg to a not arrived yet
        Verdict v = decide(copies(holding(0), emptyLastModified(5)), Map.of(), 10, null);
        assertEquals(Step.WAIT, v.step(), v.reason());
        assertFalse(v.emptyNow(), "no empty check counts meanwhile");
        assertTrue(v.reason().startsWith("changed at b after the delete"), v.reason());
        long firstEmpty = DELETED_AT + 10 * 1_000_000L;
        assertEquals(Step.WAIT, decide(copies(holding(0), emptyLastModified(5)), Map.of(), 400, firstEmpty).step(),
                "not even after two empty checks");
        Verdict late = decide(copies(holding(0), emptyLastModified(5)), Map.of(), 3601, null);
        assertEquals(Step.CONFLICT, late.step(), "nothing called it off by the deadline: kept and reported");
        assertTrue(late.reason().contains("every copy kept"), late.reason());
        assertEquals(Step.EMPTY_ONCE, decide(copies(holding(0), emptyLastModified(2)), Map.of(), 10, null).step(),
                "a second after the delete (Last-Modified rounds up) is within the sites' skew: the delete's own");
    }

    @Test
    void aCopyAlreadyGoneCountsAsEmpty() {
        long firstEmpty = DELETED_AT;
        assertEquals(Step.DELETE_ALL, decide(copies(holding(0), CopyState.absent()), Map.of(), 400, firstEmpty).step());
    }

    @Test
    void noCopyLeftIsDone() {
        assertEquals(Step.DONE, decide(copies(CopyState.absent(), CopyState.absent()), Map.of(), 5, null).step());
    }

    @Test
    void anUnreadableCopyDecidesNothing() {
        Verdict v = decide(copies(holding(0), CopyState.unknown("timeout")), Map.of(), 5, DELETED_AT);
        assertEquals(Step.RETRY, v.step());
        assertTrue(v.reason().contains("b (timeout)"), v.reason());
        assertFalse(v.emptyNow(), "an unread copy restarts the two checks");
    }

    @Test
    void anObjectNewerThanTheDeleteAbandonsIt() {
        Verdict v = decide(copies(holding(0), holding(1)), Map.of("b", DELETED_AT + 1), 10, null);
        assertEquals(Step.CONFLICT, v.step());
        assertTrue(v.reason().contains("written at b after the delete"), v.reason());
    }

    @Test
    void anObjectNewerThanTheDeleteWinsEvenOverAnUnreadableSite() {
        Map<String, CopyState> three = copies(holding(1), CopyState.unknown("connect-refused"));
        assertEquals(Step.CONFLICT, decide(three, Map.of("a", DELETED_AT + 7), 10, null).step());
    }

    @Test
    void copiesStillFullAtTheDeadlineAbandonTheDelete() {
        Verdict v = decide(copies(holding(0), holding(2)), Map.of("b", DELETED_AT - 1), 3601, null);
        assertEquals(Step.CONFLICT, v.step());
        assertTrue(v.reason().contains("still not empty PT1H after the delete: b (2 objects)"), v.reason());
        assertEquals(Step.WAIT, decide(copies(holding(0), holding(2)), Map.of("b", DELETED_AT - 1), 3599, null).step());
    }

    @Test
    void copiesThatReadEmptyAfterTheDeadlineAreStillDeleted() {
        // the client asked for the delete; the objects that held it up are gone now (a check
        // missed, a restart lost the first empty reading): two empty checks still finish it
        assertEquals(Step.EMPTY_ONCE, decide(copies(holding(0), holding(0)), Map.of(), 3601, null).step());
        long emptyAfterDeadline = DELETED_AT + 3602 * 1_000_000L;
        assertEquals(Step.DELETE_ALL, decide(copies(holding(0), holding(0)), Map.of(), 3602 + 301, emptyAfterDeadline)
                .step());
        assertEquals(Step.DONE, decide(copies(CopyState.absent(), CopyState.absent()), Map.of(), 9999, null).step(),
                "nothing left is done whenever");
    }

    @Test
    void onlyDrainRecordsAreDecidedHere() {
        RepairRecord delete = new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_DELETE, "b", "a", 1, Set.of());
        assertThrows(IllegalArgumentException.class, () -> DrainDecision.decide(delete, Map.of(), Map.of(), 1, null,
                PASS, DEADLINE));
    }
}
