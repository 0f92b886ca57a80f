package org.autosync.proxy.federation.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.junit.jupiter.api.Test;

/** The journal against an in-memory container: which calls reach Swift for which record. */
class RepairJournalTest {
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>(); // path -> body
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private CompletableFuture<ClusterResponse> swift(ClusterRequest req) {
        calls.add(req.method());
        String path = req.pathWithQuery();
        ClusterResponse resp = switch (req.method()) {
            case "PUT" -> {
                objects.put(path, req.body());
                yield new ClusterResponse(201, Map.of(), new byte[0]);
            }
            case "GET" -> path.contains("?") ? listing(path)
                    : objects.containsKey(path) ? new ClusterResponse(200, Map.of(), objects.get(path))
                    : new ClusterResponse(404, Map.of(), new byte[0]);
            case "DELETE" -> new ClusterResponse(objects.remove(path) != null ? 204 : 404, Map.of(), new byte[0]);
            default -> new ClusterResponse(405, Map.of(), new byte[0]);
        };
        return CompletableFuture.completedFuture(resp);
    }

    /** A JSON listing of the objects under the container the query is for (prefix and marker honoured). */
    private ClusterResponse listing(String pathWithQuery) {
        String container = pathWithQuery.substring(0, pathWithQuery.indexOf('?')) + "/";
        Map<String, String> q = new java.util.HashMap<>();
        for (String kv : pathWithQuery.substring(pathWithQuery.indexOf('?') + 1).split("&")) {
            String[] p = kv.split("=", 2);
            q.put(p[0], java.net.URLDecoder.decode(p.length > 1 ? p[1] : "", java.nio.charset.StandardCharsets.UTF_8));
        }
        String names = objects.keySet().stream().filter(k -> k.startsWith(container))
                .map(k -> k.substring(container.length()))
                .filter(n -> n.startsWith(q.getOrDefault("prefix", "")) && n.compareTo(q.getOrDefault("marker", "")) > 0)
                .sorted().map(n -> "{\"name\": \"" + n + "\"}").collect(java.util.stream.Collectors.joining(","));
        return new ClusterResponse(200, Map.of(), ("[" + names + "]").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static RepairRecord record(String container) {
        return new RepairRecord("AUTH_t", container, RepairOp.CONTAINER_PUT, "b", "a", 1_000_000L, Set.of());
    }

    @Test
    void aRecordWrittenHereIsReadWithoutAskingSwiftAndIsGoneOnceRemoved() throws Exception {
        RepairJournal journal = new RepairJournal(this::swift, "AUTH_autosync");
        String name = journal.record(List.of(record("c1"))).get().get(0);
        calls.clear();
        assertEquals(record("c1"), journal.read(name).get().record());
        assertEquals(List.of(), calls, "a record never changes once written: no GET for it");
        journal.remove(name).get();
        assertNull(journal.read(name).get(), "removed: Swift is asked, and says it is gone");
        assertEquals(List.of("DELETE", "GET"), calls);
    }

    @Test
    void aKeyIsPendingFromTheMomentItsRecordIsWrittenUntilAListingNoLongerShowsIt() throws Exception {
        RepairJournal writer = new RepairJournal(this::swift, "AUTH_autosync", Duration.ZERO); // lists on every ask
        RepairJournal other = new RepairJournal(this::swift, "AUTH_autosync", Duration.ZERO);  // another replica
        String name = writer.record(List.of(record("c4"))).get().get(0);
        calls.clear();
        assertTrue(writer.hasPending("AUTH_t", "c4").get());
        assertEquals(List.of(), calls, "what this process wrote is known before any listing shows it");
        assertTrue(other.hasPending("AUTH_t", "c4").get(), "another process finds it in the listing");
        assertFalse(other.hasPending("AUTH_t", "c5").get());
        other.remove(name).get();
        assertFalse(other.hasPending("AUTH_t", "c4").get(), "gone from the listing: no longer pending");
    }

    @Test
    void aKeyHasChangesPendingToASiteByAListingMadeNowOfTheRecordsAimedAtIt() throws Exception {
        RepairJournal writer = new RepairJournal(this::swift, "AUTH_autosync", Duration.ofHours(1));
        RepairJournal other = new RepairJournal(this::swift, "AUTH_autosync", Duration.ofHours(1)); // another replica
        assertFalse(other.hasPending("AUTH_t", "c8").get(), "its listing, fresh for an hour, shows nothing");
        String name = writer.record(List.of(record("c8"))).get().get(0); // site a's change still to reach b
        writer.record(List.of(new RepairRecord("AUTH_t", "c10", RepairOp.CONTAINER_DRAIN, "a", "a", 2_000_000L,
                Set.of(), Map.of()))).get(); // a delete draining at a: aimed at a itself
        assertTrue(other.pendingTo("AUTH_t", "c8", "b").get(), "listed now, not from the hour-old listing");
        assertFalse(other.pendingTo("AUTH_t", "c10", "b").get(), "a drain at a is no change on its way to b");
        assertFalse(other.pendingTo("AUTH_t", "c9", "b").get());
        calls.clear();
        assertTrue(writer.pendingTo("AUTH_t", "c8", "b").get());
        assertEquals(List.of(), calls, "what this process wrote is known without a listing");
        other.remove(name).get();
        assertFalse(other.pendingTo("AUTH_t", "c8", "b").get(), "gone once repaired");
    }

    @Test
    void aListingYoungerThanTheRepairIntervalAnswersWithoutAskingSwift() throws Exception {
        RepairJournal journal = new RepairJournal(this::swift, "AUTH_autosync", Duration.ofHours(1));
        RepairJournal other = new RepairJournal(this::swift, "AUTH_autosync");
        other.record(List.of(record("c6"))).get();
        assertTrue(journal.hasPending("AUTH_t", "c6").get());
        calls.clear();
        assertFalse(journal.hasPending("AUTH_t", "c7").get());
        assertTrue(journal.hasPending("AUTH_t", "c6").get());
        assertEquals(List.of(), calls, "the worker's listing every interval keeps it fresh");
    }

    @Test
    void recordsWrittenSinceAListingCountUntilTheyAreDeleted() throws Exception {
        RepairJournal journal = new RepairJournal(this::swift, "AUTH_autosync");
        journal.record(List.of(record("before"))).get();
        long listing = System.nanoTime();
        String one = journal.record(List.of(record("d1"))).get().get(0);
        journal.record(List.of(record("d2"))).get();
        assertEquals(2, journal.writtenSince(listing), "the one written before the listing began is in it");
        journal.remove(one).get();
        assertEquals(1, journal.writtenSince(listing), "a record repaired (or confirmed) at once is not pending");
    }

    @Test
    void aRecordAnotherProcessWroteIsReadFromSwiftOnce() throws Exception {
        RepairJournal writer = new RepairJournal(this::swift, "AUTH_autosync");
        String name = writer.record(List.of(record("c2"))).get().get(0);
        RepairJournal reader = new RepairJournal(this::swift, "AUTH_autosync"); // a restarted proxy
        calls.clear();
        assertEquals(record("c2"), reader.read(name).get().record());
        assertEquals(record("c2"), reader.read(name).get().record());
        assertEquals(List.of("GET"), calls, "read from Swift the first time only");
    }

    @Test
    void aRecordThatCouldNotBeDeletedIsStillReadFromMemory() throws Exception {
        RepairJournal journal = new RepairJournal(req -> req.method().equals("DELETE")
                ? CompletableFuture.completedFuture(new ClusterResponse(503, Map.of(), new byte[0]))
                : swift(req), "AUTH_autosync");
        String name = journal.record(List.of(record("c3"))).get().get(0);
        try {
            journal.remove(name).get();
        } catch (java.util.concurrent.ExecutionException e) {
            // expected: Swift refused the delete
        }
        calls.clear();
        assertEquals(record("c3"), journal.read(name).get().record());
        assertEquals(List.of(), calls);
    }

    @Test
    void aDeleteUnderwayIsPendingUntilItIsDoneEvenTwiceAtOnce() throws Exception {
        RepairJournal journal = new RepairJournal(this::swift, "AUTH_autosync", Duration.ZERO);
        assertFalse(journal.hasPending("AUTH_t", "c").get());
        Runnable first = journal.deleteUnderway("AUTH_t", "c");
        Runnable second = journal.deleteUnderway("AUTH_t", "c");
        assertTrue(journal.hasPending("AUTH_t", "c").get(), "no record yet, but the local copy may be gone");
        assertTrue(journal.mayHavePending("AUTH_t", "c").get(), "and a peer asking hears so");
        assertFalse(journal.hasPending("AUTH_t", "d").get(), "only that key");
        first.run();
        first.run(); // once is once
        assertTrue(journal.hasPending("AUTH_t", "c").get(), "the other delete is still underway");
        second.run();
        assertFalse(journal.hasPending("AUTH_t", "c").get());
        assertFalse(journal.mayHavePending("AUTH_t", "c").get());
    }
}
