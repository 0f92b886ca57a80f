package org.autosync.proxy.federation.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.autosync.placement.repair.RepairAction.Kind;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.proxy.config.RepairSettings;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.testing.MovingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker's schedule, with a clock the test moves and records kept in memory. */
class RepairWorkerTest {
    private static final RepairSettings SETTINGS = RepairSettings.off().withEnabled(true)
            .withInterval(Duration.ofSeconds(1)).withMaxBackoff(Duration.ofSeconds(60));

    private final MovingClock clock = new MovingClock();
    private final java.util.concurrent.ConcurrentSkipListMap<String, RepairRecord> stored =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    // the worker handles keys on several threads
    private final List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Long> emptySinceSeen = java.util.Collections.synchronizedList(new ArrayList<>());
    private Set<String> down = Set.of(); // peers whose health checks fail
    private List<String> placementPeers = List.of("b"); // the other sites of every record's placement
    private BiFunction<RepairRecord, Long, KeyRepairer.Outcome> outcome =
            (r, e) -> new KeyRepairer.Outcome(Kind.RETRY, "b could not be read (connect-refused)", false);
    private RepairWorker worker;
    private final java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
    /** While set, a pass waits in its listing: wakes meanwhile find it running. */
    private volatile java.util.concurrent.CountDownLatch hold;
    /** When set, the first record handled gets this answer (one that never comes, say). */
    private volatile CompletableFuture<KeyRepairer.Outcome> stall;
    private final java.util.concurrent.atomic.AtomicInteger stalledCalls = new java.util.concurrent.atomic.AtomicInteger();

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
    }

    private RepairWorker worker(RepairSettings settings) {
        RecordStore store = new RecordStore() {
            @Override
            public CompletableFuture<List<String>> names() {
                passes.incrementAndGet(); // every pass lists the records once
                java.util.concurrent.CountDownLatch h = hold;
                if (h != null) {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return CompletableFuture.completedFuture(List.copyOf(stored.keySet()));
            }

            @Override
            public CompletableFuture<RepairJournal.Entry> read(String name) {
                RepairRecord r = stored.get(name);
                return CompletableFuture.completedFuture(r == null ? null : new RepairJournal.Entry(name, r));
            }

            @Override
            public CompletableFuture<Void> remove(String name) {
                stored.remove(name);
                return CompletableFuture.completedFuture(null);
            }
        };
        RecordHandler handler = new RecordHandler() {
            @Override
            public CompletableFuture<KeyRepairer.Outcome> repair(RepairRecord r, Long emptySince) {
                handled.add(r.container());
                emptySinceSeen.add(emptySince);
                CompletableFuture<KeyRepairer.Outcome> s = stall;
                // exactly one call stalls, however many keys run side by side
                return s != null && stalledCalls.incrementAndGet() == 1 ? s
                        : CompletableFuture.completedFuture(outcome.apply(r, emptySince));
            }

            @Override
            public List<String> peersOf(RepairRecord r) {
                return placementPeers;
            }
        };
        worker = new RepairWorker(store, handler, settings, new ProxyMetrics(), clock,
                () -> CompletableFuture.completedFuture(down));
        return worker;
    }

    private String add(String container, RepairOp op) {
        RepairRecord r = new RepairRecord("AUTH_t", container, op, op == RepairOp.CONTAINER_DRAIN ? "a" : "b", "a",
                clock.micros(), Set.of());
        String name = r.name("n" + stored.size());
        stored.put(name, r);
        return name;
    }

    @Test
    void aWakeRunsAPassWithoutWaitingForTheInterval() throws Exception {
        RepairWorker w = worker(SETTINGS.withInterval(Duration.ofHours(1)).withMaxBackoff(Duration.ofHours(1)));
        w.start(); // the first pass at once, the next one in an hour
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (w.status().lastPass() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(w.status().lastPass() != null, "the first pass ran");
        add("c-after", RepairOp.CONTAINER_PUT);
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.CREATE, "made", true);
        int before = passes.get();
        hold = new java.util.concurrent.CountDownLatch(1);
        w.wake();
        while (passes.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(5); // the woken pass has started and waits in its listing
        }
        w.wake();
        w.wake(); // while one pass runs, wakes queue one more, and only one
        hold.countDown();
        while (!handled.contains("c-after") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300); // time for a third pass, were one queued
        assertEquals(List.of("c-after"), List.copyOf(handled), "handled by the woken pass, once");
        assertTrue(stored.isEmpty());
        assertEquals(before + 2, passes.get(), "the woken pass and one more for the wakes during it");
    }

    private List<String> pass() throws InterruptedException {
        handled.clear();
        worker.passNow();
        return List.copyOf(handled);
    }

    @Test
    void aFinishedRecordIsDeletedAndNoOther() throws Exception {
        worker(SETTINGS);
        String done = add("c1", RepairOp.CONTAINER_PUT);
        String other = add("c2", RepairOp.CONTAINER_PUT);
        outcome = (r, e) -> r.container().equals("c1") ? new KeyRepairer.Outcome(Kind.CREATE, "made", true)
                : new KeyRepairer.Outcome(Kind.RETRY, "away", false);
        pass();
        assertEquals(Set.of(other), stored.keySet());
        assertTrue(!stored.containsKey(done));
        assertEquals(1, worker.status().pending());
    }

    @Test
    void closeStopsAKeyBeforeItsNextRecord() throws Exception {
        RepairWorker w = worker(SETTINGS);
        add("c", RepairOp.CONTAINER_PUT);
        add("c", RepairOp.CONTAINER_POST); // the same key: handled after the first, on the same thread
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.UPDATE, "sent", true);
        stall = new CompletableFuture<>(); // the first record's call never answers
        Thread pass = new Thread(() -> {
            try {
                w.passNow();
            } catch (Exception e) {
                // the pass is stopped by close
            }
        });
        pass.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (handled.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        w.close();
        pass.join(10_000);
        Thread.sleep(200);
        assertEquals(List.of("c"), List.copyOf(handled), "nothing is sent after close");
        assertEquals(2, stored.size(), "both records stay for the next start");
    }

    @SuppressWarnings("unchecked")
    private Object staleFlagOfB() {
        Map<String, Object> sites = (Map<String, Object>) worker.status().toMap(clock.instant()).get("sites");
        return ((Map<String, Object>) sites.get("b")).get("stale");
    }

    @Test
    void anOldConflictDoesNotMakeItsSiteStaleButAnOldRecordWaitingOnTheSiteDoes() throws Exception {
        worker(SETTINGS.withMaxBackoff(Duration.ofDays(10)));
        add("disputed", RepairOp.CONTAINER_PUT);
        outcome = (r, e) -> r.container().equals("disputed")
                ? new KeyRepairer.Outcome(Kind.CONFLICT, "storage policies differ", false)
                : new KeyRepairer.Outcome(Kind.RETRY, "b could not be read (connect-refused)", false);
        pass();
        clock.advance(Duration.ofDays(3)); // past stale-after (2 days); the conflict waits on an operator
        pass();
        assertEquals(false, staleFlagOfB(), "a conflict is listed as one, not as a site away");
        assertEquals(1, worker.status().conflicts().size());
        add("missed", RepairOp.CONTAINER_PUT);
        pass();
        clock.advance(Duration.ofDays(3));
        pass();
        assertEquals(true, staleFlagOfB(), "a change b has not got for 3 days");
    }

    @Test
    void statusShowsTheBacklogShrinkWhileAPassRuns() throws Exception {
        RepairWorker w = worker(SETTINGS);
        add("slow", RepairOp.CONTAINER_PUT);
        add("c2", RepairOp.CONTAINER_PUT);
        add("c3", RepairOp.CONTAINER_PUT);
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.CREATE, "made", true);
        CompletableFuture<KeyRepairer.Outcome> slow = new CompletableFuture<>();
        stall = slow; // the first record handled waits until the test answers it
        Thread pass = new Thread(() -> {
            try {
                w.passNow();
            } catch (Exception e) {
                // reported by the assertions below
            }
        });
        pass.start();
        waitFor(() -> stored.size() == 1 && handled.size() == 3);
        waitFor(() -> w.status().pending() == 1);
        RepairStatus during = w.status();
        assertEquals(1, during.pending(), "two of three finished, the pass still running");
        assertEquals(1, during.mine());
        assertEquals(Set.of("b"), during.perSite().keySet());
        assertEquals(1, during.perSite().get("b").pending());
        assertNull(during.lastPass(), "the first pass has not ended yet");
        slow.complete(new KeyRepairer.Outcome(Kind.CREATE, "made", true));
        pass.join(10_000);
        RepairStatus after = w.status();
        assertEquals(0, after.pending());
        assertTrue(after.lastPass() != null);
        assertEquals(Map.of(), after.perSite());
    }

    @Test
    void anObjectThatIsNotARecordIsLeftAloneAndThePassGoesOn() throws Exception {
        worker(SETTINGS);
        stored.put("notes.txt", new RepairRecord("AUTH_t", "x", RepairOp.CONTAINER_PUT, "b", "a", 1, Set.of()));
        stored.put("zz/b/0000000000000001-a-n", new RepairRecord("AUTH_t", "y", RepairOp.CONTAINER_PUT, "b", "a", 1,
                Set.of()));
        add("c", RepairOp.CONTAINER_PUT);
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.CREATE, "made", true);
        assertEquals(List.of("c"), pass(), "an operator's stray object does not stop the records");
        assertEquals(Set.of("notes.txt", "zz/b/0000000000000001-a-n"), stored.keySet(), "and is not deleted");
        assertEquals(0, worker.status().pending(), "nor counted as pending");
        assertNull(worker.status().lastError());
    }

    @Test
    void aRecordThatCannotBeDoneWaitsLongerEachTime() throws Exception {
        worker(SETTINGS);
        add("c", RepairOp.CONTAINER_PUT);
        assertEquals(List.of("c"), pass());
        assertEquals(List.of(), pass(), "not again at once");
        clock.advance(Duration.ofMillis(1_500));
        assertEquals(List.of(), pass(), "the first wait is 2 s (+-20 %)");
        clock.advance(Duration.ofMillis(1_000));
        assertEquals(List.of("c"), pass());
        clock.advance(Duration.ofMillis(3_100));
        assertEquals(List.of(), pass(), "the second wait is 4 s (+-20 %)");
        clock.advance(Duration.ofMillis(1_800));
        assertEquals(List.of("c"), pass());
    }

    @Test
    void theWaitStopsAtMaxBackoff() throws Exception {
        worker(SETTINGS);
        add("c", RepairOp.CONTAINER_PUT);
        for (int i = 0; i < 8; i++) {
            pass();
            clock.advance(Duration.ofSeconds(80)); // always past the longest wait
        }
        pass();
        clock.advance(Duration.ofSeconds(47));
        assertEquals(List.of(), pass(), "60 s -20 % at the earliest");
        clock.advance(Duration.ofSeconds(26));
        assertEquals(List.of("c"), pass(), "60 s +20 % at the latest");
    }

    @Test
    void aSiteThatComesBackGetsItsRecordsAtOnceWhateverTheWait() throws Exception {
        worker(SETTINGS);
        add("c", RepairOp.CONTAINER_PUT);
        down = Set.of("b");
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(), pass(), "known down: not tried");
            clock.advance(Duration.ofSeconds(80));
        }
        pass(); // the wait is now 60 s
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), pass(), "b still away");
        down = Set.of();
        assertEquals(List.of("c"), pass(), "b answers again: tried on this pass");
        clock.advance(Duration.ofMillis(2_500));
        assertEquals(List.of("c"), pass(), "and, failing, the wait starts over from the interval");
    }

    @Test
    void aConflictIsKeptReportedAndLookedAtAgainOnlyAfterMaxBackoff() throws Exception {
        worker(SETTINGS);
        add("c", RepairOp.CONTAINER_DELETE);
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.CONFLICT, "b still holds 1 object", false);
        pass();
        assertEquals(1, stored.size());
        RepairStatus s = worker.status();
        assertEquals(1, s.conflicts().size());
        assertEquals("AUTH_t/c", s.conflicts().get(0).key());
        assertEquals("b", s.conflicts().get(0).site());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(), pass());
        assertEquals(1, worker.status().conflicts().size(), "still reported");
        clock.advance(Duration.ofSeconds(45));
        assertEquals(List.of("c"), pass());
    }

    @Test
    void replicasSplitTheKeysByHash() throws Exception {
        for (int i = 0; i < 20; i++) {
            add("c" + i, RepairOp.CONTAINER_PUT);
        }
        List<String> all = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            worker(new RepairSettings(true, "AUTH_autosync", Duration.ofSeconds(1), Duration.ofSeconds(60), 2,
                    index, Duration.ofDays(2), Duration.ofSeconds(300), Duration.ofHours(1), 4));
            List<String> mine = pass();
            for (String c : mine) {
                RepairRecord r = stored.values().stream().filter(x -> x.container().equals(c)).findFirst().orElseThrow();
                assertEquals(index, RepairRecord.workerOf(r.keyHash(), 2), c);
            }
            assertEquals(20, worker.status().pending(), "every replica sees every record");
            assertEquals(mine.size(), worker.status().mine());
            all.addAll(mine);
            worker.close();
            worker = null;
        }
        assertEquals(20, all.size(), "each record has exactly one owner");
        assertEquals(20, Set.copyOf(all).size());
    }

    @Test
    void aDrainWhoseCopiesReadEmptyIsLookedAtAgainOneSyncPassLaterWithItsEmptySince() throws Exception {
        worker(SETTINGS.withSyncPass(Duration.ofSeconds(3)));
        add("d", RepairOp.CONTAINER_DRAIN);
        long since = clock.micros();
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.RETRY, "every copy reads empty", false,
                e == null ? since : e);
        pass();
        assertNull(emptySinceSeen.get(0));
        clock.advance(Duration.ofMillis(1_300));
        assertEquals(List.of(), pass(), "not before a sync pass has gone by, though an interval has");
        clock.advance(Duration.ofMillis(2_100));
        assertEquals(List.of("d"), pass(), "the second check is due a sync pass (and at most 10 % more) later");
        assertEquals(since, emptySinceSeen.get(1));
        assertEquals(1, worker.status().draining());
        assertEquals(Map.of(), worker.status().perSite(), "a drain is not a backlog of one site");
    }

    @Test
    void aDrainWaitingOnADownSiteIsNotTriedUntilItIsBack() throws Exception {
        worker(SETTINGS);
        add("d", RepairOp.CONTAINER_DRAIN);
        down = Set.of("b");
        assertEquals(List.of(), pass(), "b is down: the drain cannot read its copy there");
        assertEquals(1, worker.status().draining());
        down = Set.of();
        assertEquals(List.of("d"), pass(), "b is back: tried at once, whatever the wait");
    }

    @Test
    void aRecordWhoseSiteLeftItsPlacementIsTriedSoItCanBeDropped() throws Exception {
        worker(SETTINGS);
        add("c", RepairOp.CONTAINER_PUT);
        down = Set.of("b");
        placementPeers = List.of(); // the container is no longer placed at b
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.SUPERSEDED, "no longer placed at b", true);
        assertEquals(List.of("c"), pass());
        assertTrue(stored.isEmpty());
    }

    @Test
    void aDrainThatFailsAfterReadingEmptyBacksOffFromTheInterval() throws Exception {
        worker(SETTINGS.withSyncPass(Duration.ofSeconds(3)));
        add("d", RepairOp.CONTAINER_DRAIN);
        long since = clock.micros();
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.RETRY, "every copy reads empty", false, since);
        pass();
        clock.advance(Duration.ofMillis(3_400));
        outcome = (r, e) -> new KeyRepairer.Outcome(Kind.RETRY, "cannot read b (timeout)", false);
        assertEquals(List.of("d"), pass(), "the second check");
        clock.advance(Duration.ofMillis(1_500));
        assertEquals(List.of(), pass(), "failing, it waits twice the interval, as any record");
        clock.advance(Duration.ofMillis(1_000));
        assertEquals(List.of("d"), pass());
    }

    @Test
    void aDrainsSecondCheckRunsWhenDueThoughThePassIsStillBusyAndTheNextAnHourAway() throws Exception {
        // the interval is an hour and the one pass is held by a slow key: only the check the
        // worker books for the drain can bring its second check
        RepairWorker w = worker(SETTINGS.withInterval(Duration.ofHours(1)).withMaxBackoff(Duration.ofHours(1))
                .withSyncPass(Duration.ofMillis(300)).withConcurrency(2));
        String name = add("d", RepairOp.CONTAINER_DRAIN);
        add("slow", RepairOp.CONTAINER_PUT);
        long since = clock.micros();
        java.util.concurrent.CountDownLatch slow = new java.util.concurrent.CountDownLatch(1);
        outcome = (r, e) -> {
            if (r.container().equals("slow")) {
                await(slow);
                return new KeyRepairer.Outcome(Kind.RETRY, "b could not be read (timeout)", false);
            }
            return e == null ? new KeyRepairer.Outcome(Kind.RETRY, "every copy reads empty", false, since)
                    : new KeyRepairer.Outcome(Kind.DELETE, "deleted", true);
        };
        try {
            w.start();
            waitFor(() -> handled.contains("d"));
            clock.advance(Duration.ofMillis(400)); // the second check is due now
            waitFor(() -> !stored.containsKey(name));
            assertTrue(!stored.containsKey(name), "deleted by the check booked for it");
            assertEquals(1, passes.get(), "while the first pass still waits on the slow key");
            assertEquals(2, handled.stream().filter("d"::equals).count());
        } finally {
            slow.countDown();
        }
    }

    @Test
    void aDrainThatReplacesAnotherOfItsKeyGetsItsOwnSecondCheck() throws Exception {
        // a repeated DELETE writes a new drain and deletes the old one: the check booked for the
        // old one must find the new one, and no pass (an hour away) may be needed for it
        RepairWorker w = worker(SETTINGS.withInterval(Duration.ofHours(1)).withMaxBackoff(Duration.ofHours(1))
                .withSyncPass(Duration.ofMillis(300)));
        String first = add("d", RepairOp.CONTAINER_DRAIN);
        outcome = (r, e) -> e == null ? new KeyRepairer.Outcome(Kind.RETRY, "every copy reads empty", false,
                clock.micros()) : new KeyRepairer.Outcome(Kind.DELETE, "deleted", true);
        w.start();
        waitFor(() -> handled.contains("d"));
        stored.remove(first);
        clock.advance(Duration.ofMillis(1));
        String second = add("d", RepairOp.CONTAINER_DRAIN);
        w.passNow(); // the new drain's first check
        clock.advance(Duration.ofMillis(400)); // its second check is due now
        waitFor(() -> !stored.containsKey(second));
        assertTrue(!stored.containsKey(second), "the new drain got its second check");
        waitFor(() -> w.status().pending() == 0);
        assertEquals(0, w.status().pending(), "a pass the check woke lists the records again for status");
    }

    @Test
    void aPassTakesTheDrainsFirstSoTheirWaitOverlapsTheRest() throws Exception {
        worker(SETTINGS.withConcurrency(1));
        for (int i = 0; i < 5; i++) {
            add("c" + i, RepairOp.CONTAINER_PUT);
        }
        add("d1", RepairOp.CONTAINER_DRAIN);
        add("d2", RepairOp.CONTAINER_DRAIN);
        List<String> order = pass();
        assertEquals(7, order.size());
        assertEquals(Set.of("d1", "d2"), Set.copyOf(order.subList(0, 2)), order.toString());
    }

    @Test
    void aRecordNameTellsADrainByItsTargetBeingItsOrigin() {
        assertTrue(RepairWorker.isDrain("0a1b2c3d/a/0000000000000042-a-n0"));
        assertTrue(RepairWorker.isDrain("0a1b2c3d/site-b/0000000000000042-site-b-n0"));
        assertTrue(!RepairWorker.isDrain("0a1b2c3d/b/0000000000000042-a-n0"));
        assertTrue(!RepairWorker.isDrain("garbage"));
    }

    /** Until {@code done} holds, for at most 10 s; the assertion after it says what was expected. */
    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void theOriginOfARecordNameKeepsDashesInSiteNames() {
        assertEquals("site-b-east", RepairWorker.originOf("0000000000000042-site-b-east-0a1b2c3d"));
        assertEquals("a", RepairWorker.originOf("0000000000000042-a-0a1b2c3d"));
        assertEquals("", RepairWorker.originOf("garbage"));
    }
}
