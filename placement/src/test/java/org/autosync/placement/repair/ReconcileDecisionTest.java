package org.autosync.placement.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autosync.placement.repair.ReconcileDecision.Plan;
import org.autosync.placement.repair.ReconcileDecision.SiteAction;
import org.autosync.placement.repair.ReconcileDecision.Verdict;
import org.junit.jupiter.api.Test;

class ReconcileDecisionTest {
    private static final Map<String, String> SYNC_A = Map.of("x-container-sync-to", "//lab/b/AUTH_t/c",
            "x-container-sync-key", "k");
    private static final Map<String, String> SYNC_B = Map.of("x-container-sync-to", "//lab/a/AUTH_t/c",
            "x-container-sync-key", "k");
    private static final Map<String, Map<String, String>> SYNC = Map.of("a", SYNC_A, "b", SYNC_B);

    private static CopyState copy(Map<String, String> sync, String... headers) {
        Map<String, String> h = new LinkedHashMap<>(sync);
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        h.put("X-Container-Object-Count", "3");
        h.put("X-Timestamp", "1700000000.00000");
        return CopyState.present(h);
    }

    private static Map<String, CopyState> copies(CopyState a, CopyState b) {
        Map<String, CopyState> m = new LinkedHashMap<>();
        m.put("a", a);
        m.put("b", b);
        return m;
    }

    @Test
    void equalCopiesWithTheirSyncHeadersAreUnmodified() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue"),
                copy(SYNC_B, "x-container-meta-color", "blue")), SYNC);
        assertEquals(Verdict.UNMODIFIED, p.verdict());
        assertEquals(List.of(), p.actions());
    }

    @Test
    void aMissingCopyIsCreatedWithTheMetadataAndItsOwnSyncHeaders() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue",
                "X-Container-Read", ".r:*", "X-Storage-Policy", "gold"), CopyState.absent()), SYNC);
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals(List.of(new SiteAction("b", RepairAction.Kind.CREATE, Map.of("x-container-meta-color", "blue",
                "x-container-read", ".r:*", "x-storage-policy", "gold", "x-container-sync-to", "//lab/a/AUTH_t/c",
                "x-container-sync-key", "k"))), p.actions(), "no counts, no timestamps, b's own sync target");
        assertTrue(p.reason().contains("missing at b"), p.reason());
        assertTrue(p.reason().contains("deleted straight at its Swift"), "says what it cannot tell apart");
    }

    @Test
    void aContainerVersionedStraightAtSwiftIsAConflictNotSynced() {
        for (String value : List.of("True", "False")) {
            Plan p = ReconcileDecision.decide(copies(copy(Map.of(), "X-Versions-Enabled", value), CopyState.absent()),
                    SYNC);
            assertEquals(Verdict.CONFLICT, p.verdict(), value);
            assertEquals(List.of(), p.actions(), "nothing created at b, no sync headers tried at a");
            assertTrue(p.reason().startsWith("not synced: object versioning is configured at a"), p.reason());
        }
        // at one site only, nothing is synced: nothing to say
        Plan alone = ReconcileDecision.decide(Map.of("a", copy(Map.of(), "X-Versions-Enabled", "True")),
                Map.of("a", Map.of()));
        assertEquals(Verdict.UNMODIFIED, alone.verdict(), alone.reason());
    }

    @Test
    void missingOrWrongSyncHeadersAreRewrittenWhereTheyAreWrong() {
        Plan p = ReconcileDecision.decide(copies(copy(Map.of()), copy(Map.of("x-container-sync-to",
                "//lab/a/AUTH_t/c", "x-container-sync-key", "old"))), SYNC);
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals(List.of(new SiteAction("a", RepairAction.Kind.UPDATE, SYNC_A),
                new SiteAction("b", RepairAction.Kind.UPDATE, Map.of("x-container-sync-key", "k"))), p.actions());
    }

    @Test
    void metadataThatDiffersIsAConflictAndNothingIsDone() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue"),
                CopyState.absent()), SYNC);
        assertEquals(Verdict.UPDATED, p.verdict(), "one copy alone decides nothing against itself");
        Plan q = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue"),
                copy(Map.of(), "X-Container-Meta-Color", "red")), SYNC);
        assertEquals(Verdict.CONFLICT, q.verdict());
        assertEquals(List.of(), q.actions(), "not even the sync headers are touched");
        assertTrue(q.reason().contains("x-container-meta-color is 'blue' at a, 'red' at b"), q.reason());
    }

    @Test
    void aHeaderSetAtOneCopyOnlyIsADifferenceToo() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Write", "AUTH_x"), copy(SYNC_B)), SYNC);
        assertEquals(Verdict.CONFLICT, p.verdict());
        assertTrue(p.reason().contains("x-container-write is 'AUTH_x' at a, unset at b"), p.reason());
    }

    @Test
    void tempUrlKeysAreNeverShown() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Temp-URL-Key", "s3cr3t"),
                copy(SYNC_B, "X-Container-Meta-Temp-URL-Key", "other")), SYNC);
        assertEquals(Verdict.CONFLICT, p.verdict());
        assertFalse(p.reason().contains("s3cr3t") || p.reason().contains("other"), p.reason());
        assertTrue(p.reason().contains("(a key) at a, (a key) at b"), p.reason());
    }

    @Test
    void differentStoragePoliciesAreAConflict() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Storage-Policy", "gold"),
                copy(SYNC_B, "X-Storage-Policy", "silver")), SYNC);
        assertEquals(Verdict.CONFLICT, p.verdict());
        assertTrue(p.reason().contains("storage policies differ"), p.reason());
    }

    @Test
    void anUnreadableCopyFailsWithoutActing() {
        Plan p = ReconcileDecision.decide(copies(CopyState.absent(), CopyState.unknown("timeout")), SYNC);
        assertEquals(Verdict.FAILED, p.verdict());
        assertEquals("cannot read b (timeout)", p.reason());
    }

    @Test
    void noCopyAnywhereIsNothingToDo() {
        assertEquals(Verdict.UNMODIFIED, ReconcileDecision.decide(copies(CopyState.absent(), CopyState.absent()),
                SYNC).verdict());
    }

    @Test
    void theNewestChangeClockSettlesADifferingHeader() {
        Map<String, Map<String, ChangeClock>> clocks = Map.of(
                "a", Map.of("x-container-meta-color", new ChangeClock(100, "a")),
                "b", Map.of("x-container-meta-color", new ChangeClock(200, "b")));
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue"),
                copy(SYNC_B, "X-Container-Meta-Color", "red")), SYNC, clocks);
        assertEquals(Verdict.UPDATED, p.verdict(), p.reason());
        assertEquals(List.of(new SiteAction("a", RepairAction.Kind.UPDATE, Map.of("x-container-meta-color", "red"),
                Map.of("x-container-meta-color", new ChangeClock(200, "b")))), p.actions());
        assertEquals("older metadata at a (x-container-meta-color)", p.reason());
    }

    @Test
    void twoValuesUnderOneChangeClockAreAConflictNotAWinner() {
        // a client's POST at a (clock 300) fanned out to b; a repair's older value then landed at a
        ChangeClock raced = new ChangeClock(300, "a");
        Map<String, Map<String, ChangeClock>> clocks = Map.of(
                "a", Map.of("x-container-meta-color", raced), "b", Map.of("x-container-meta-color", raced));
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "stale"),
                copy(SYNC_B, "X-Container-Meta-Color", "newest")), SYNC, clocks);
        assertEquals(Verdict.CONFLICT, p.verdict(), "neither value may overwrite the other: " + p.actions());
        assertTrue(p.reason().contains("under the same change clock"), p.reason());
    }

    @Test
    void aHeaderRemovedMostRecentlyIsRemovedEverywhere() {
        Map<String, Map<String, ChangeClock>> clocks = Map.of(
                "a", Map.of("x-container-read", new ChangeClock(300, "a")),
                "b", Map.of("x-container-read", new ChangeClock(200, "b")));
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A), copy(SYNC_B, "X-Container-Read", ".r:*")), SYNC,
                clocks);
        assertEquals(List.of(new SiteAction("b", RepairAction.Kind.UPDATE, Map.of("x-container-read", ""),
                Map.of("x-container-read", new ChangeClock(300, "a")))), p.actions(), "made private at a last");
    }

    @Test
    void aClockAtOneSiteOnlyBeatsAValueWithNone() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "set-through-autosync"),
                copy(SYNC_B, "X-Container-Meta-Color", "set-straight-at-swift")), SYNC,
                Map.of("a", Map.of("x-container-meta-color", new ChangeClock(1, "a"))));
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals("b", p.actions().get(0).site());
    }

    @Test
    void aMissingCopyGetsTheSettledValues() {
        Map<String, CopyState> three = new LinkedHashMap<>();
        three.put("a", copy(SYNC_A, "X-Container-Meta-Color", "blue"));
        three.put("b", copy(SYNC_B, "X-Container-Meta-Color", "red"));
        three.put("c", CopyState.absent());
        Plan p = ReconcileDecision.decide(three, Map.of("a", SYNC_A, "b", SYNC_B, "c", Map.of()),
                Map.of("b", Map.of("x-container-meta-color", new ChangeClock(5, "b"))));
        assertEquals(Verdict.UPDATED, p.verdict());
        assertTrue(p.actions().contains(new SiteAction("c", RepairAction.Kind.CREATE,
                Map.of("x-container-meta-color", "red"), Map.of("x-container-meta-color", new ChangeClock(5, "b")))),
                p.actions().toString());
    }

    @Test
    void aMissingCopyWithMetadataAsksForThePresentCopiesClocksToo() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue"),
                CopyState.absent()), SYNC);
        assertEquals(java.util.Set.of("a", "b"), p.clocksFrom(),
                "b may hold clocks of a copy it lost: a's values must go with a's clocks");
    }

    @Test
    void aMissingCopyIsCreatedWithTheClocksOfTheValuesItGets() {
        // b lost its copy but kept its clocks (color and read set through Autosync at 7 and 8):
        // a CREATE without them would have b keep its "newer" nothing for both, for good
        ChangeClock color = new ChangeClock(7, "a");
        ChangeClock read = new ChangeClock(8, "b");
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue",
                "X-Container-Read", ".r:*", "X-Container-Meta-Size", "l"), CopyState.absent()), SYNC,
                Map.of("a", Map.of("x-container-meta-color", color, "x-container-read", read), "b", Map.of()));
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals(List.of(new SiteAction("b", RepairAction.Kind.CREATE, Map.of("x-container-meta-color", "blue",
                "x-container-read", ".r:*", "x-container-meta-size", "l", "x-container-sync-to", "//lab/a/AUTH_t/c",
                "x-container-sync-key", "k"), Map.of("x-container-meta-color", color, "x-container-read", read))),
                p.actions(), "each value with its clock; one set straight at Swift goes without");
    }

    @Test
    void oneHeaderWithoutAnyClockKeepsTheWholeContainerAConflict() {
        Plan p = ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Color", "blue",
                "X-Container-Meta-Size", "s"), copy(SYNC_B, "X-Container-Meta-Color", "red",
                "X-Container-Meta-Size", "l")), SYNC, Map.of("a", Map.of("x-container-meta-color",
                new ChangeClock(9, "a"))));
        assertEquals(Verdict.CONFLICT, p.verdict());
        assertEquals(java.util.Set.of(), p.clocksFrom(), "decided with the clocks");
        assertEquals(java.util.Set.of("a", "b"), ReconcileDecision.decide(copies(copy(SYNC_A, "X-Container-Meta-Size",
                "s"), copy(SYNC_B, "X-Container-Meta-Size", "l")), SYNC).clocksFrom(), "the clocks may settle it");
        assertTrue(p.reason().contains("x-container-meta-size"), p.reason());
        assertFalse(p.reason().contains("x-container-meta-color"), "the color was settled: " + p.reason());
    }

    @Test
    void accountMetadataIsSettledByClocksAndOnlyMetadataIsCompared() {
        Map<String, CopyState> accounts = new LinkedHashMap<>();
        accounts.put("a", CopyState.present(Map.of("X-Account-Meta-Owner", "ops", "X-Account-Object-Count", "5")));
        accounts.put("b", CopyState.present(Map.of("X-Account-Meta-Owner", "dev", "X-Account-Object-Count", "9")));
        Plan unsettled = ReconcileDecision.decideAccount(accounts, Map.of());
        assertEquals(Verdict.CONFLICT, unsettled.verdict());
        assertTrue(unsettled.reason().contains("x-account-meta-owner is 'ops' at a, 'dev' at b"), unsettled.reason());
        Plan settled = ReconcileDecision.decideAccount(accounts,
                Map.of("a", Map.of("x-account-meta-owner", new ChangeClock(10, "a"))));
        assertEquals(List.of(new SiteAction("b", RepairAction.Kind.UPDATE, Map.of("x-account-meta-owner", "ops"),
                Map.of("x-account-meta-owner", new ChangeClock(10, "a")))), settled.actions(),
                "counts differ too, and are never copied");
    }

    @Test
    void anAccountSeenAtOneSiteOnlyIsLeftToAutocreate() {
        Map<String, CopyState> accounts = new LinkedHashMap<>();
        accounts.put("a", CopyState.present(Map.of("X-Account-Meta-Owner", "ops")));
        accounts.put("b", CopyState.absent());
        assertEquals(Verdict.UNMODIFIED, ReconcileDecision.decideAccount(accounts, Map.of()).verdict());
        accounts.put("b", CopyState.unknown("timeout"));
        assertEquals(Verdict.FAILED, ReconcileDecision.decideAccount(accounts, Map.of()).verdict());
    }

    // --- a copy left over from a delete Autosync recorded ---

    private static final long DELETED_AT = 1_800_000_000_250_000L; // 2027-01-15T08:00:00.25Z

    /** A copy last PUT or POSTed at whole second {@code secondsAfterDelete} from the delete (negative: before). */
    private static CopyState copyAt(long secondsAfterDelete, int objects) {
        java.time.ZonedDateTime t = java.time.Instant.ofEpochSecond(DELETED_AT / 1_000_000L + secondsAfterDelete)
                .atZone(java.time.ZoneOffset.UTC);
        Map<String, String> h = new LinkedHashMap<>(SYNC_B);
        h.put("Last-Modified", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(t));
        h.put("X-Container-Object-Count", Integer.toString(objects));
        return CopyState.present(h);
    }

    private static Map<String, Map<String, ChangeClock>> deletedAtA() {
        return Map.of("a", Map.of(ChangeClock.CONTAINER_DELETED, new ChangeClock(DELETED_AT, "a")), "b", Map.of());
    }

    private static Plan afterDeleteAtA(CopyState b) {
        return ReconcileDecision.decide(copies(CopyState.absent(), b), SYNC, deletedAtA());
    }

    @Test
    void aMissingCopyAsksForTheClocksOfItsSiteBeforeItIsCreated() {
        Plan p = ReconcileDecision.decide(copies(CopyState.absent(), copyAt(-600, 0)), SYNC);
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals(java.util.Set.of("a"), p.clocksFrom(), "a's record of a delete may say b's copy is left over");
        assertEquals(java.util.Set.of(), ReconcileDecision.decide(copies(copy(SYNC_A), copy(SYNC_B)), SYNC)
                .clocksFrom(), "nothing missing, nothing differing: no clocks asked");
    }

    @Test
    void anEmptyCopyLastChangedAMinuteBeforeARecordedDeleteIsDeleted() {
        Plan p = afterDeleteAtA(copyAt(-61, 0));
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals(List.of(new SiteAction("b", RepairAction.Kind.DELETE, Map.of())), p.actions());
        assertEquals("the empty copy at b is left over from the delete through Autosync at 2027-01-15T08:00:00Z (at a)",
                p.reason());
        assertEquals(Verdict.UPDATED, afterDeleteAtA(copyAt(-60, 0)).verdict(),
                "Last-Modified 60 s before a delete at .25 s: put 60.25 s before it at least");
    }

    @Test
    void aLeftOverCopyHoldingObjectsOrNotSayingIsKeptAndReported() {
        Plan p = afterDeleteAtA(copyAt(-600, 4));
        assertEquals(Verdict.CONFLICT, p.verdict());
        assertEquals(List.of(), p.actions(), "Autosync never deletes objects");
        assertTrue(p.reason().contains("b (4 objects)"), p.reason());
        Map<String, String> noCount = new LinkedHashMap<>(copyAt(-600, 0).headers());
        noCount.remove("x-container-object-count");
        Plan unknown = afterDeleteAtA(CopyState.present(noCount));
        assertEquals(Verdict.CONFLICT, unknown.verdict(), "no count: not known to be empty");
        assertTrue(unknown.reason().contains("object count unknown"), unknown.reason());
        noCount.put("x-container-object-count", "many");
        assertEquals(Verdict.CONFLICT, afterDeleteAtA(CopyState.present(noCount)).verdict(), "not a number: unknown");
    }

    @Test
    void aCopyChangedAfterTheDeleteIsTheContainerAgainAndIsCopied() {
        // Last-Modified is the put time rounded up: +4 s was put after 3 s past, beyond the 2 s skew
        Plan p = afterDeleteAtA(copyAt(4, 0));
        assertEquals(Verdict.UPDATED, p.verdict());
        assertEquals(RepairAction.Kind.CREATE, p.actions().get(0).kind(), p.actions().toString());
        assertEquals("a", p.actions().get(0).site());
    }

    @Test
    void aCopyChangedNearTheDeleteOrWithoutATimeIsAConflict() {
        for (long s : new long[] {-59, -30, -2, -1, 0, 1, 2, 3}) {
            Plan p = afterDeleteAtA(copyAt(s, 0));
            assertEquals(Verdict.CONFLICT, p.verdict(), s + " s after: " + p.reason());
            assertTrue(p.reason().contains("not surely left over"), p.reason());
        }
        Plan noTime = afterDeleteAtA(copy(SYNC_B));
        assertEquals(Verdict.CONFLICT, noTime.verdict(), "no Last-Modified: nothing says it is older");
    }

    @Test
    void onlyTheDeletesOfSitesWithoutACopyCount() {
        Map<String, Map<String, ChangeClock>> both = Map.of(
                "a", Map.of(ChangeClock.CONTAINER_DELETED, new ChangeClock(DELETED_AT - 600_000_000L, "a")),
                "b", Map.of(ChangeClock.CONTAINER_DELETED, new ChangeClock(DELETED_AT, "b")));
        Plan p = ReconcileDecision.decide(copies(CopyState.absent(), copyAt(-300, 0)), SYNC, both);
        assertEquals(RepairAction.Kind.CREATE, p.actions().get(0).kind(),
                "b holds a copy again, whatever its own delete says; a's delete is older than b's copy: "
                        + p.reason());
        Plan present = ReconcileDecision.decide(copies(copy(SYNC_A), copyAt(-600, 0)), SYNC, deletedAtA());
        assertFalse(present.actions().stream().anyMatch(a -> a.kind() == RepairAction.Kind.DELETE),
                "every copy there: the container exists, whatever an old delete says");
    }
}
