package org.autosync.placement.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.autosync.placement.repair.RepairAction.Kind;
import org.junit.jupiter.api.Test;

/** Origin (the site that took the change) is "a", the target (the site that missed it) is "b". */
class RepairDecisionTest {

    private static final String COLOR = "x-container-meta-color";
    private static final String SIZE = "x-container-meta-size";
    private static final String OTHER = "x-container-meta-other";
    private static final String READ = "x-container-read";
    private static final String QUOTA = "x-account-meta-quota";
    private static final String SYNC_TO_B = "//fed/b/AUTH_t/c";
    private static final Map<String, String> SYNC = Map.of(ReplicatedHeaders.SYNC_TO, SYNC_TO_B,
            ReplicatedHeaders.SYNC_KEY, "k3y");
    private static final Map<String, String> NO_SYNC = Map.of();

    private static RepairRecord record(RepairOp op, String... headers) {
        return new RepairRecord("AUTH_t", op.isContainer() ? "c" : "", op, "b", "a", 1_700_000_000_000_000L,
                Set.of(headers));
    }

    private static Map<String, String> h(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A container copy that already carries the target's sync headers, plus {@code kv}. */
    private static CopyState synced(String... kv) {
        Map<String, String> m = h(kv);
        m.putAll(SYNC);
        return CopyState.present(m);
    }

    private static RepairAction decide(RepairRecord r, CopyState local, CopyState target) {
        return RepairDecision.decide(r, local, target, SYNC);
    }

    // ---- unreadable copies

    @Test
    void localUnreadableRetries() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR), CopyState.unknown("timeout"),
                synced(COLOR, "blue"));
        assertEquals(Kind.RETRY, a.kind());
        assertEquals(Map.of(), a.headers());
        assertEquals("the copy at a could not be read (timeout)", a.reason());
        assertFalse(a.kind().finishes());
        assertFalse(a.kind().acts());
    }

    @Test
    void localUnreadableRetriesWhateverTheOpAndTarget() {
        for (RepairOp op : RepairOp.values()) {
            if (op == RepairOp.CONTAINER_DRAIN) {
                continue;
            }
            for (CopyState target : new CopyState[] {CopyState.absent(), CopyState.unknown("503"), synced()}) {
                RepairAction a = decide(record(op), CopyState.unknown("connect-refused"), target);
                assertEquals(Kind.RETRY, a.kind(), op + " " + target);
                assertEquals("the copy at a could not be read (connect-refused)", a.reason());
            }
        }
    }

    @Test
    void targetUnreadableRetries() {
        RepairAction a = decide(record(RepairOp.CONTAINER_PUT, COLOR), synced(COLOR, "red"),
                CopyState.unknown("503"));
        assertEquals(Kind.RETRY, a.kind());
        assertEquals(Map.of(), a.headers());
        assertEquals("b could not be read (503)", a.reason());
        // even when the local copy is gone, or for an account delete: nothing decided on half the facts
        assertEquals(Kind.RETRY, decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                CopyState.unknown("timeout")).kind());
        assertEquals(Kind.RETRY, decide(record(RepairOp.ACCOUNT_DELETE), CopyState.absent(),
                CopyState.unknown("timeout")).kind());
    }

    // ---- container: create

    @Test
    void putCreatesAMissingCopyWithEveryReplicatedHeaderThePolicyAndTheTargetsSync() {
        CopyState local = CopyState.present(h(
                "X-Container-Meta-Color", "blue",
                "X-Container-Meta-Web-Index", "index.html",
                "X-Container-Read", ".r:*,.rlistings",
                "X-Container-Write", "AUTH_t:alice",
                "X-Versions-Location", "old-versions",
                "X-Storage-Policy", "gold",
                "X-Container-Object-Count", "3",
                "X-Container-Bytes-Used", "1024",
                "X-Timestamp", "1700000000.12345",
                "X-Put-Timestamp", "1700000000.12345",
                "Content-Type", "text/plain; charset=utf-8",
                "X-Container-Sync-To", "//fed/a/AUTH_t/c",
                "X-Container-Sync-Key", "the-key-at-a"));
        RepairAction a = decide(record(RepairOp.CONTAINER_PUT, COLOR), local, CopyState.absent());
        assertEquals(Kind.CREATE, a.kind());
        assertEquals(h(
                COLOR, "blue",
                "x-container-meta-web-index", "index.html",
                READ, ".r:*,.rlistings",
                "x-container-write", "AUTH_t:alice",
                "x-versions-location", "old-versions",
                ReplicatedHeaders.STORAGE_POLICY, "gold",
                ReplicatedHeaders.SYNC_TO, SYNC_TO_B,
                ReplicatedHeaders.SYNC_KEY, "k3y"), a.headers());
        assertFalse(a.headers().containsKey(ReplicatedHeaders.OBJECT_COUNT));
        assertFalse(a.headers().containsKey("x-timestamp"));
        assertEquals("missing at b", a.reason());
        assertTrue(a.kind().acts());
    }

    @Test
    void createWithoutAPolicyOrSyncSendsNeither() {
        RepairAction a = RepairDecision.decide(record(RepairOp.CONTAINER_POST, COLOR),
                CopyState.present(h(COLOR, "blue", "x-timestamp", "1")), CopyState.absent(), NO_SYNC);
        assertEquals(Kind.CREATE, a.kind());
        assertEquals(Map.of(COLOR, "blue"), a.headers());
    }

    @Test
    void createCarriesHeadersTheRecordDoesNotName() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST), CopyState.present(h(READ, ".r:*")),
                CopyState.absent());
        assertEquals(Kind.CREATE, a.kind());
        assertEquals(h(READ, ".r:*", ReplicatedHeaders.SYNC_TO, SYNC_TO_B, ReplicatedHeaders.SYNC_KEY, "k3y"),
                a.headers());
    }

    // ---- container: in sync / update

    @Test
    void putOrPostAlreadyAppliedIsInSync() {
        for (RepairOp op : new RepairOp[] {RepairOp.CONTAINER_PUT, RepairOp.CONTAINER_POST}) {
            RepairAction a = decide(record(op, COLOR, READ),
                    synced(COLOR, "blue", READ, ".r:*", "x-storage-policy", "gold", "x-timestamp", "1"),
                    synced(COLOR, "blue", READ, ".r:*", "x-storage-policy", "gold", "x-timestamp", "2",
                            "x-container-object-count", "9"));
            assertEquals(Kind.IN_SYNC, a.kind(), op.name());
            assertEquals(Map.of(), a.headers());
            assertEquals("same at b", a.reason());
            assertTrue(a.kind().finishes());
        }
    }

    @Test
    void postUpdatesOnlyTheNamedHeaderThatDiffersWithTheLocalValueNow() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR, SIZE),
                synced(COLOR, "red", SIZE, "1", OTHER, "here"),
                synced(COLOR, "blue", SIZE, "1", OTHER, "there"));
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(COLOR, "red"), a.headers());
        assertEquals("differs at b", a.reason());
    }

    @Test
    void aNamedHeaderRemovedLocallyIsRemovedThere() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR, READ),
                synced(SIZE, "1"),
                synced(COLOR, "blue", READ, ".r:*", SIZE, "1"));
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(COLOR, "", READ, ""), a.headers());
    }

    @Test
    void aNamedHeaderMissingOnBothSidesIsInSync() {
        assertEquals(Kind.IN_SYNC, decide(record(RepairOp.CONTAINER_POST, COLOR), synced(), synced()).kind());
    }

    @Test
    void aNamedHeaderNewLocallyIsAdded() {
        RepairAction a = decide(record(RepairOp.CONTAINER_PUT, COLOR), synced(COLOR, "red"), synced());
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(COLOR, "red"), a.headers());
    }

    @Test
    void aHeaderNotNamedInThePostIsLeftAlone() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "blue", OTHER, "new", READ, ".r:*"),
                synced(COLOR, "blue", OTHER, "old", SIZE, "stale"));
        assertEquals(Kind.IN_SYNC, a.kind());
        assertEquals(Map.of(), a.headers());
    }

    @Test
    void missingSyncHeadersAtTheTargetAreSet() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "blue"),
                CopyState.present(h(COLOR, "blue")));
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(SYNC, a.headers());
    }

    @Test
    void wrongSyncHeadersAtTheTargetAreSet() {
        RepairAction wrongTo = decide(record(RepairOp.CONTAINER_POST),
                synced(),
                CopyState.present(h(ReplicatedHeaders.SYNC_TO, "//fed/a/AUTH_t/c",
                        ReplicatedHeaders.SYNC_KEY, "k3y")));
        assertEquals(Kind.UPDATE, wrongTo.kind());
        assertEquals(Map.of(ReplicatedHeaders.SYNC_TO, SYNC_TO_B), wrongTo.headers());

        RepairAction wrongKey = decide(record(RepairOp.CONTAINER_PUT),
                synced(),
                CopyState.present(h(ReplicatedHeaders.SYNC_TO, SYNC_TO_B, ReplicatedHeaders.SYNC_KEY, "old")));
        assertEquals(Kind.UPDATE, wrongKey.kind());
        assertEquals(Map.of(ReplicatedHeaders.SYNC_KEY, "k3y"), wrongKey.headers());
    }

    @Test
    void syncAndNamedHeadersAreFixedTogether() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "red"),
                CopyState.present(h(COLOR, "blue", ReplicatedHeaders.SYNC_TO, SYNC_TO_B)));
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(COLOR, "red", ReplicatedHeaders.SYNC_KEY, "k3y"), a.headers());
    }

    @Test
    void theLocalCopysOwnSyncHeadersAreNeverCopied() {
        CopyState local = CopyState.present(h(ReplicatedHeaders.SYNC_TO, "//fed/a/AUTH_t/c",
                ReplicatedHeaders.SYNC_KEY, "k3y"));
        RepairAction a = RepairDecision.decide(record(RepairOp.CONTAINER_POST), local,
                CopyState.present(Map.of()), NO_SYNC);
        assertEquals(Kind.IN_SYNC, a.kind());
    }

    @Test
    void differentStoragePoliciesConflict() {
        RepairAction a = decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "red", "X-Storage-Policy", "gold"),
                synced(COLOR, "blue", "X-Storage-Policy", "silver"));
        assertEquals(Kind.CONFLICT, a.kind());
        assertEquals(Map.of(), a.headers());
        assertEquals("storage policy gold at a, silver at b; container-sync needs the copies to match", a.reason());
        assertFalse(a.kind().finishes());
        assertFalse(a.kind().acts());
    }

    @Test
    void storagePoliciesCompareIgnoringCaseAndOnlyWhenBothKnown() {
        assertEquals(Kind.IN_SYNC, decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "red", "x-storage-policy", "Gold"),
                synced(COLOR, "red", "x-storage-policy", "gold")).kind());
        assertEquals(Kind.IN_SYNC, decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "red", "x-storage-policy", "gold"),
                synced(COLOR, "red")).kind());
        assertEquals(Kind.IN_SYNC, decide(record(RepairOp.CONTAINER_POST, COLOR),
                synced(COLOR, "red"),
                synced(COLOR, "red", "x-storage-policy", "gold")).kind());
    }

    @Test
    void putOrPostWhenTheLocalCopyIsGoneIsSuperseded() {
        for (RepairOp op : new RepairOp[] {RepairOp.CONTAINER_PUT, RepairOp.CONTAINER_POST}) {
            for (CopyState target : new CopyState[] {CopyState.absent(), synced(COLOR, "blue")}) {
                RepairAction a = decide(record(op, COLOR), CopyState.absent(), target);
                assertEquals(Kind.SUPERSEDED, a.kind(), op + " " + target);
                assertEquals(Map.of(), a.headers());
                assertEquals("deleted at a since", a.reason());
                assertTrue(a.kind().finishes());
            }
        }
    }

    // ---- container: delete

    @Test
    void deleteWithBothCopiesGoneIsInSync() {
        RepairAction a = decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(), CopyState.absent());
        assertEquals(Kind.IN_SYNC, a.kind());
        assertEquals(Map.of(), a.headers());
        assertEquals("gone at b too", a.reason());
    }

    @Test
    void deleteOfAnEmptyCopyThereDeletesIt() {
        for (CopyState target : new CopyState[] {
                synced("X-Container-Object-Count", "0"),
                synced(),
                CopyState.present(h(COLOR, "blue", "x-container-object-count", " 0 "))}) {
            RepairAction a = decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(), target);
            assertEquals(Kind.DELETE, a.kind(), target.toString());
            assertEquals(Map.of(), a.headers());
            assertEquals("deleted at a", a.reason());
            assertTrue(a.kind().acts());
        }
    }

    @Test
    void deleteOfACopyCreatedThereAfterTheDeleteLeavesIt() {
        // the record's delete was at 22:13:20.000000; Last-Modified is the put timestamp rounded
        // up; the sites' clocks are taken to agree within 2 s
        RepairAction later = decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                synced("X-Container-Object-Count", "0", "Last-Modified", "Tue, 14 Nov 2023 22:13:24 GMT"));
        assertEquals(Kind.SUPERSEDED, later.kind(), later.reason());
        assertEquals("created or changed at b after the delete at a; kept", later.reason());
        assertEquals(Kind.SUPERSEDED, decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                synced("X-Container-Object-Count", "4", "Last-Modified", "Tue, 14 Nov 2023 22:13:24 GMT")).kind(),
                "objects or not: the newer change wins");
        for (String unsure : new String[] {"Tue, 14 Nov 2023 22:13:23 GMT", "Tue, 14 Nov 2023 22:13:21 GMT",
                "yesterday"}) {
            assertEquals(Kind.DELETE, decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                    synced("X-Container-Object-Count", "0", "Last-Modified", unsure)).kind(),
                    unsure + " may be a put from before the delete, by skewed clocks");
        }
    }

    @Test
    void deleteOfACopyHoldingObjectsConflictsAndNamesTheCount() {
        RepairAction many = decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                synced("X-Container-Object-Count", "5"));
        assertEquals(Kind.CONFLICT, many.kind());
        assertEquals(Map.of(), many.headers());
        assertEquals("b still holds 5 objects of a container deleted at a; kept", many.reason());

        RepairAction one = decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                synced("X-Container-Object-Count", "1"));
        assertEquals(Kind.CONFLICT, one.kind());
        assertEquals("b still holds 1 object of a container deleted at a; kept", one.reason());
    }

    @Test
    void deleteOfAContainerRecreatedHereCreatesItThereWithEverything() {
        CopyState local = CopyState.present(h(COLOR, "green", READ, ".r:*", "x-storage-policy", "gold",
                "x-container-object-count", "0", "x-timestamp", "2"));
        RepairAction a = decide(record(RepairOp.CONTAINER_DELETE), local, CopyState.absent());
        assertEquals(Kind.CREATE, a.kind());
        assertEquals(h(COLOR, "green", READ, ".r:*", ReplicatedHeaders.STORAGE_POLICY, "gold",
                ReplicatedHeaders.SYNC_TO, SYNC_TO_B, ReplicatedHeaders.SYNC_KEY, "k3y"), a.headers());
        assertEquals("missing at b", a.reason());
    }

    @Test
    void deleteOfAContainerRecreatedHereUpdatesEveryReplicatedHeaderThere() {
        // the delete never reached b; the container was re-created at a with new metadata since
        RepairAction a = decide(record(RepairOp.CONTAINER_DELETE),
                synced(COLOR, "green", READ, ".r:*", SIZE, "1", "x-timestamp", "2"),
                synced(COLOR, "blue", SIZE, "1", "x-timestamp", "1", "x-container-object-count", "4"));
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(COLOR, "green", READ, ".r:*"), a.headers());
        assertEquals("differs at b", a.reason());
    }

    @Test
    void deleteOfAContainerRecreatedHereIdenticallyIsInSync() {
        assertEquals(Kind.IN_SYNC, decide(record(RepairOp.CONTAINER_DELETE),
                synced(COLOR, "green"), synced(COLOR, "green")).kind());
    }

    @Test
    void deleteOfAContainerRecreatedHereWithAnotherPolicyConflicts() {
        RepairAction a = decide(record(RepairOp.CONTAINER_DELETE),
                synced(COLOR, "green", "x-storage-policy", "gold"),
                synced(COLOR, "green", "x-storage-policy", "silver"));
        assertEquals(Kind.CONFLICT, a.kind());
    }

    /**
     * After a delete the target missed and a re-create here, the target must lose the old
     * container's replicated headers (metadata, ACLs) that the new one does not have: an old
     * public-read ACL must not stay at b.
     */
    @Test
    void deleteOfAContainerRecreatedHereRemovesStaleHeadersThere() {
        RepairAction a = decide(record(RepairOp.CONTAINER_DELETE),
                synced(COLOR, "green"),
                synced(COLOR, "green", READ, ".r:*", OTHER, "old"));
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(READ, "", OTHER, ""), a.headers());
    }

    // ---- account

    @Test
    void accountPostThatDiffersUpdates() {
        RepairAction a = RepairDecision.decide(record(RepairOp.ACCOUNT_POST, QUOTA),
                CopyState.present(h("X-Account-Meta-Quota", "10", "x-account-meta-other", "x",
                        "x-account-object-count", "4")),
                CopyState.present(h("X-Account-Meta-Quota", "5", "x-account-meta-other", "y")), NO_SYNC);
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(QUOTA, "10"), a.headers());
        assertEquals("differs at b", a.reason());
    }

    @Test
    void accountHeaderRemovedLocallyIsRemovedThere() {
        RepairAction a = RepairDecision.decide(record(RepairOp.ACCOUNT_POST, QUOTA, "x-account-access-control"),
                CopyState.present(h("x-account-access-control", "{\"read-only\":[\"bob\"]}")),
                CopyState.present(h(QUOTA, "5", "x-account-access-control", "{\"read-only\":[\"bob\"]}")),
                NO_SYNC);
        assertEquals(Kind.UPDATE, a.kind());
        assertEquals(Map.of(QUOTA, ""), a.headers());
    }

    @Test
    void accountPostAlreadyAppliedIsInSync() {
        RepairAction a = RepairDecision.decide(record(RepairOp.ACCOUNT_POST, QUOTA),
                CopyState.present(h(QUOTA, "10", "x-timestamp", "1")),
                CopyState.present(h(QUOTA, "10", "x-timestamp", "2", "x-account-meta-other", "z")), NO_SYNC);
        assertEquals(Kind.IN_SYNC, a.kind());
        assertEquals("same at b", a.reason());
    }

    @Test
    void accountMissingThereIsCreated() {
        for (RepairOp op : new RepairOp[] {RepairOp.ACCOUNT_PUT, RepairOp.ACCOUNT_POST}) {
            RepairAction a = RepairDecision.decide(record(op, QUOTA),
                    CopyState.present(h(QUOTA, "10")), CopyState.absent(), NO_SYNC);
            assertEquals(Kind.CREATE, a.kind(), op.name());
            assertEquals(Map.of(QUOTA, "10"), a.headers());
            assertEquals("missing at b", a.reason());
        }
    }

    @Test
    void accountsNeverGetContainerSyncHeaders() {
        RepairAction a = decide(record(RepairOp.ACCOUNT_POST, QUOTA), CopyState.present(h(QUOTA, "10")),
                CopyState.present(h(QUOTA, "5")));
        assertEquals(Map.of(QUOTA, "10"), a.headers());
    }

    /**
     * An account absent at the target is created there, also when the record names no headers
     * (a plain PUT) or only headers the local copy no longer has.
     */
    @Test
    void accountMissingThereIsCreatedEvenWithNoHeadersToSet() {
        RepairAction plain = RepairDecision.decide(record(RepairOp.ACCOUNT_PUT),
                CopyState.present(h(QUOTA, "10")), CopyState.absent(), NO_SYNC);
        assertEquals(Kind.CREATE, plain.kind());
        RepairAction removed = RepairDecision.decide(record(RepairOp.ACCOUNT_POST, QUOTA),
                CopyState.present(Map.of()), CopyState.absent(), NO_SYNC);
        assertEquals(Kind.CREATE, removed.kind());
    }

    @Test
    void accountDeleteIsNeverRepeated() {
        for (CopyState local : new CopyState[] {CopyState.absent(), CopyState.present(h(QUOTA, "1"))}) {
            for (CopyState target : new CopyState[] {CopyState.absent(), CopyState.present(h(QUOTA, "1"))}) {
                RepairAction a = RepairDecision.decide(record(RepairOp.ACCOUNT_DELETE), local, target, NO_SYNC);
                assertEquals(Kind.CONFLICT, a.kind(), local + " " + target);
                assertEquals(Map.of(), a.headers());
                assertEquals("account deletes are not repeated at other sites; delete at b by hand if that is meant",
                        a.reason());
            }
        }
    }

    @Test
    void accountGoneHereIsSuperseded() {
        for (RepairOp op : new RepairOp[] {RepairOp.ACCOUNT_PUT, RepairOp.ACCOUNT_POST}) {
            for (CopyState target : new CopyState[] {CopyState.absent(), CopyState.present(h(QUOTA, "1"))}) {
                RepairAction a = RepairDecision.decide(record(op, QUOTA), CopyState.absent(), target, NO_SYNC);
                assertEquals(Kind.SUPERSEDED, a.kind(), op + " " + target);
                assertEquals(Map.of(), a.headers());
                assertEquals("account gone at a", a.reason());
            }
        }
    }

    // ---- purity and header-name case

    @Test
    void headerNameCaseOfTheCopiesDoesNotMatter() {
        RepairRecord r = record(RepairOp.CONTAINER_POST, COLOR, READ);
        RepairAction lower = decide(r,
                synced(COLOR, "red", READ, ".r:*", "x-storage-policy", "gold"),
                CopyState.present(h(COLOR, "blue", READ, ".r:*", "x-storage-policy", "gold")));
        RepairAction mixed = decide(r,
                CopyState.present(h("X-Container-Meta-Color", "red", "X-CONTAINER-READ", ".r:*",
                        "X-Storage-Policy", "gold", "X-Container-Sync-To", SYNC_TO_B,
                        "X-Container-Sync-Key", "k3y")),
                CopyState.present(h("x-Container-meta-COLOR", "blue", "X-Container-Read", ".r:*",
                        "X-STORAGE-POLICY", "gold")));
        assertEquals(Kind.UPDATE, lower.kind());
        assertEquals(h(COLOR, "red", ReplicatedHeaders.SYNC_TO, SYNC_TO_B, ReplicatedHeaders.SYNC_KEY, "k3y"),
                lower.headers());
        assertEquals(lower, mixed);

        RepairAction create = decide(r, CopyState.present(h("X-Container-Meta-Color", "red",
                "X-Storage-Policy", "gold")), CopyState.absent());
        assertEquals(h(COLOR, "red", ReplicatedHeaders.STORAGE_POLICY, "gold",
                ReplicatedHeaders.SYNC_TO, SYNC_TO_B, ReplicatedHeaders.SYNC_KEY, "k3y"), create.headers());

        RepairAction count = decide(record(RepairOp.CONTAINER_DELETE), CopyState.absent(),
                CopyState.present(h("X-CONTAINER-OBJECT-COUNT", "2")));
        assertEquals(Kind.CONFLICT, count.kind());
    }

    @Test
    void decidingMutatesNothingAndGivesTheSameAnswerTwice() {
        Set<String> names = new HashSet<>(Set.of(COLOR));
        RepairRecord r = new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_POST, "b", "a", 1, names);
        Map<String, String> localHeaders = new HashMap<>(h("X-Container-Meta-Color", "red", OTHER, "x"));
        Map<String, String> targetHeaders = new HashMap<>(h(COLOR, "blue"));
        Map<String, String> sync = new HashMap<>(SYNC);
        CopyState local = CopyState.present(localHeaders);
        CopyState target = CopyState.present(targetHeaders);
        Map<String, String> localBefore = Map.copyOf(local.headers());
        Map<String, String> targetBefore = Map.copyOf(target.headers());

        RepairAction first = RepairDecision.decide(r, local, target, sync);
        RepairAction second = RepairDecision.decide(r, local, target, sync);
        assertEquals(first, second);
        assertEquals(Kind.UPDATE, first.kind());
        assertEquals(localBefore, local.headers());
        assertEquals(targetBefore, target.headers());
        assertEquals(Set.of(COLOR), r.headers());
        assertEquals(SYNC, sync);
        assertEquals(h("X-Container-Meta-Color", "red", OTHER, "x"), localHeaders);
        assertEquals(h(COLOR, "blue"), targetHeaders);
        assertThrows(UnsupportedOperationException.class, () -> first.headers().put("x", "y"));
    }

    @Test
    void copyStateLowerCasesAndIsUnmodifiable() {
        Map<String, String> in = new HashMap<>(h("X-Container-Meta-Color", "Blue"));
        CopyState s = CopyState.present(in);
        in.put("x-container-meta-size", "1");
        assertEquals(Map.of(COLOR, "Blue"), s.headers());
        assertEquals("Blue", s.header(COLOR));
        assertThrows(UnsupportedOperationException.class, () -> s.headers().put("a", "b"));
        assertEquals(0, s.objectCount());
        assertEquals(0, CopyState.present(h(ReplicatedHeaders.OBJECT_COUNT, "many")).objectCount());
        assertEquals(12, CopyState.present(h("X-Container-Object-Count", "12")).objectCount());
    }

    @Test
    void nullsAreRejected() {
        RepairRecord r = record(RepairOp.CONTAINER_POST);
        CopyState s = CopyState.absent();
        assertThrows(NullPointerException.class, () -> RepairDecision.decide(null, s, s, SYNC));
        assertThrows(NullPointerException.class, () -> RepairDecision.decide(r, null, s, SYNC));
        assertThrows(NullPointerException.class, () -> RepairDecision.decide(r, s, null, SYNC));
        assertThrows(NullPointerException.class, () -> RepairDecision.decide(r, s, s, null));
    }

    @Test
    void labels() {
        assertEquals("in-sync", RepairAction.of(Kind.IN_SYNC, "").label());
        assertEquals("superseded", RepairAction.of(Kind.SUPERSEDED, "").label());
        assertEquals("conflict", RepairAction.of(Kind.CONFLICT, "").label());
    }
}
