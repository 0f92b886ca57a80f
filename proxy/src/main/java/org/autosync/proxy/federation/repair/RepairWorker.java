package org.autosync.proxy.federation.repair;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.autosync.placement.repair.RepairAction;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.proxy.config.RepairSettings;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains this site's repair records: every {@code repair.interval} it lists them, takes those of
 * its share of the keys whose backoff has passed, and has {@link KeyRepairer} bring the target
 * site in line. A record is deleted once nothing is left to do for it; a record that cannot be
 * done yet waits longer each time (doubling, with jitter, up to {@code repair.max-backoff}).
 * Passes run on their own thread and never overlap; a pass hands its keys to a pool of
 * {@code repair.concurrency} threads, where a draining delete's second check is also booked when
 * it falls due (see {@link #recheckWhenDue}). A key is never handled by two threads at once.
 */
public final class RepairWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RepairWorker.class);
    private static final Duration CALL_LIMIT = Duration.ofSeconds(60);
    private static final int MAX_CONFLICTS_SHOWN = 100;
    /** The least delay a drain's second check is booked with (one found not yet due books itself again). */
    private static final long MIN_CHECK_DELAY_MS = 10;

    /** What the worker knows of a record it could not finish yet. */
    private record Attempt(Instant nextTry, Duration delay, RepairAction.Kind kind, String reason, RepairRecord record,
                           Long emptySince, Set<String> downThen) {
    }

    private final RecordStore journal;
    /** When the listing of the last pass that listed began ({@link System#nanoTime()}). */
    private volatile long listedAtNanos = System.nanoTime();
    private final RecordHandler repairer;
    private final RepairSettings settings;
    private final ProxyMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final java.util.concurrent.atomic.AtomicBoolean woken = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.function.Supplier<CompletableFuture<Set<String>>> downPeers;
    private volatile Set<String> downNow = Set.of(); // set by the pass, read by its key tasks
    /** The records finished since the pass running now began: a new set each pass (see {@link Underway}). */
    private volatile Set<String> finished = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Counts every record finished or tried: a status computed since needs no second look. */
    private final java.util.concurrent.atomic.AtomicLong outcomes = new java.util.concurrent.atomic.AtomicLong();
    /** Handles keys side by side (repair.concurrency); the pass waits for all of them. */
    private final java.util.concurrent.ExecutorService pool;
    /** Records not finished yet: their next try, and what the last one found. */
    private final Map<String, Attempt> waiting = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile RepairStatus status;
    /** Set while a pass runs (after its listing): {@link #status()} reads the backlog from it. */
    private volatile Underway underway;
    /** Keys being handled now, by a pass or by a drain's own second check: never both at once. */
    private final Set<String> busy = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Keys with a drain's second check booked, and when it is due (clock millis). */
    private final Map<String, Long> booked = new java.util.concurrent.ConcurrentHashMap<>();
    /** Books drains' second checks; they run on {@link #pool}. Never blocks: passes hold {@link #thread}. */
    private final ScheduledExecutorService timer;

    /**
     * {@code downPeers}: the peers known to be down now (their health checks fail). A record
     * waiting on one is not tried (it would cost this site's Swift calls for a known answer),
     * and is tried as soon as the site is back, whatever its backoff.
     */
    public RepairWorker(RecordStore journal, RecordHandler repairer, RepairSettings settings, ProxyMetrics metrics,
                        Clock clock, java.util.function.Supplier<CompletableFuture<Set<String>>> downPeers) {
        this.downPeers = requireNonNull(downPeers, "downPeers");
        this.journal = requireNonNull(journal, "journal");
        this.repairer = requireNonNull(repairer, "repairer");
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.status = RepairStatus.notYet(settings);
        this.pool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "autosync-repair-key");
            t.setDaemon(true);
            return t;
        });
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autosync-repair");
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autosync-repair-timer");
            t.setDaemon(true);
            return t;
        });
        metrics.registerRepairGauges(() -> status().pending(), () -> status.oldestAgeSeconds(clock.instant()),
                () -> status.conflicts().size());
        metrics.registerRepairCounters(java.util.Arrays.stream(RepairAction.Kind.values())
                .map(RepairAction.Kind::label).toList());
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::passSafely, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A pass as soon as the one running (if any) is done, instead of at the next interval: a
     * peer that was down answers again, and what it missed need not wait. Calls while one is
     * already queued add nothing.
     */
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    woken.set(false);
                    passSafely();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                woken.set(false); // closed
            }
        }
    }

    /**
     * As of the last pass, plus the records this process wrote since that pass began listing:
     * a change made just now is pending at once, not from the next pass on. While a pass runs,
     * the backlog is its listing less the records it finished so far, so an operator watching
     * a long pass (hundreds of records after a site came back) sees it shrink, and one after a
     * restart sees it before the first pass ends.
     */
    public RepairStatus status() {
        // underway first: a pass sets status before it clears underway, so a reader that finds
        // no pass running also finds the status that pass left
        Underway u = underway;
        RepairStatus s = status;
        if (u != null) {
            s = s.withBacklog(u.backlog());
        } else if (s.lastPass() == null) {
            return s;
        }
        return s.plusRecent(journal.writtenSince(listedAtNanos));
    }

    /**
     * The listing of the pass running now (this site's records), and the backlog last worked out
     * from it: computed again only once more records have finished.
     */
    private final class Underway {
        private final List<String> names;
        private final int notMine;
        /** The pass's own finished set: a reader still holding this one never sees the next pass's. */
        private final Set<String> done;
        private volatile Live live;

        private record Live(long outcomesSeen, RepairStatus.Backlog backlog) {
        }

        Underway(List<String> names, int notMine, Set<String> done) {
            this.names = List.copyOf(names);
            this.notMine = notMine;
            this.done = done;
        }

        RepairStatus.Backlog backlog() {
            long seen = outcomes.get();
            Live l = live;
            if (l == null || l.outcomesSeen() != seen) {
                List<String> left = names.stream().filter(n -> !done.contains(n)).toList();
                l = new Live(seen, backlogOf(left, left.size() - notMine));
                live = l;
            }
            return l.backlog();
        }
    }

    /** One pass now, on the caller's thread (tests, and the worker's own schedule). */
    public RepairStatus passNow() throws InterruptedException {
        try {
            return thread.submit(this::pass).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("repair pass failed", e.getCause());
        }
    }

    private void passSafely() {
        try {
            pass();
        } catch (RuntimeException e) {
            log.warn("repair pass failed: {}", e.toString());
            status = status.withError(clock.instant(), e.toString());
        }
    }

    private RepairStatus pass() {
        Instant started = clock.instant();
        // before the listing: a drain's check may finish a record meanwhile
        Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
        finished = done;
        List<String> names;
        long listing = System.nanoTime();
        try {
            names = await(journal.names());
            listedAtNanos = listing;
        } catch (Exception e) {
            log.warn("repair: cannot list the records in this site's Swift: {}", e.getMessage());
            status = status.withError(started, "cannot list repair records: " + e.getMessage());
            return status;
        }
        try {
            downNow = await(downPeers.get());
        } catch (Exception e) {
            downNow = Set.of(); // not known: every record is tried
        }
        Set<String> listed = new HashSet<>(names);
        waiting.keySet().retainAll(listed); // done by another replica, or by hand
        Map<RepairAction.Kind, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
        int mine = 0;
        // a key's records in listing order (oldest first), one after the other; keys side by side
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        int foreign = 0;
        List<String> records = new ArrayList<>(); // this site's, every replica's share
        for (String name : names) {
            String hash = RepairRecord.keyHashOf(name);
            if (!RepairRecord.isKeyHash(hash)) {
                foreign++; // put there by hand, say: not Autosync's to read or delete
                continue;
            }
            records.add(name);
            if (RepairRecord.workerOf(hash, settings.workers()) != settings.workerIndex()) {
                continue;
            }
            mine++;
            byKey.computeIfAbsent(hash, k -> new ArrayList<>()).add(name);
        }
        if (foreign > 0) {
            log.warn("{} object(s) in the repair container are not repair records (their names do not start"
                    + " with a key hash): left alone", foreign);
        }
        underway = new Underway(records, records.size() - mine, done);
        try {
            return handleAll(started, byKey, records, mine, counts);
        } finally {
            underway = null; // after the status it leaves is in place
        }
    }

    /** Hands the pass's keys to the pool, drains first, and sums up when all are done. */
    private RepairStatus handleAll(Instant started, Map<String, List<String>> byKey, List<String> records, int mine,
                                   Map<RepairAction.Kind, Integer> counts) {
        // drains first: a drain needs two checks a sync pass apart, so its first check goes
        // early and its wait overlaps the rest of the pass
        List<Map.Entry<String, List<String>>> keys = new ArrayList<>(byKey.entrySet());
        keys.sort(java.util.Comparator.comparing(e -> e.getValue().stream().noneMatch(RepairWorker::isDrain)));
        // keys are handed to the pool as threads free up, never queued there all at once, so a
        // drain's second check (booked on the same pool) runs as soon as a thread is free
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(settings.concurrency());
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (Map.Entry<String, List<String>> key : keys) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            running.add(pool.submit(() -> {
                try {
                    handle(key.getKey(), key.getValue(), counts);
                } finally {
                    slots.release();
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                log.warn("repair of a key failed: {}", e.getCause().toString());
            }
        }
        List<String> left = records.stream().filter(n -> !finished.contains(n)).toList();
        status = summarize(started, backlogOf(left, mine - (records.size() - left.size())), counts);
        return status;
    }

    /**
     * One key's records, oldest first, one after the other; none whose wait has not passed. A
     * key being handled already (by a drain's second check) is skipped: its other records wait
     * for the next pass.
     */
    private void handle(String hash, List<String> names, Map<RepairAction.Kind, Integer> counts) {
        if (!busy.add(hash)) {
            return;
        }
        try {
            for (String name : names) {
                if (Thread.currentThread().isInterrupted()) {
                    break; // closing: nothing more is started
                }
                Attempt a = waiting.get(name);
                boolean back = a != null && !a.downThen().isEmpty() && noneDown(a.downThen());
                if (a != null && a.nextTry().isAfter(clock.instant()) && !back) {
                    continue;
                }
                counts.merge(one(name, a), 1, Integer::sum);
            }
        } finally {
            busy.remove(hash);
        }
        recheckWhenDue(hash, names);
    }

    /**
     * A draining delete whose copies read empty gets its second check when it falls due, on its
     * own, not at the first pass after that: the client that asked for the delete waits on it,
     * and a pass may be long (hundreds of records after a site came back) or an interval away.
     * Other waits (backoffs of at least two intervals) are left to the passes, which list the
     * records again and take them in batches. A key has at most one check booked, the soonest
     * it needs; when it runs it takes the key's drains waiting then (a repeated DELETE may have
     * replaced the one it was booked for).
     */
    private void recheckWhenDue(String hash, List<String> names) {
        Instant now = clock.instant();
        java.util.OptionalLong soonest = names.stream().map(waiting::get)
                .filter(a -> a != null && a.emptySince() != null)
                .mapToLong(a -> Duration.between(now, a.nextTry()).toMillis() + 1) // +1: never a hair early
                .min();
        if (soonest.isEmpty()) {
            return;
        }
        long in = Math.max(soonest.getAsLong(), MIN_CHECK_DELAY_MS);
        long due = clock.millis() + in;
        Long before = booked.putIfAbsent(hash, due);
        if (before != null && (before <= due || !booked.replace(hash, before, due))) {
            return; // one as soon is booked already (or another thread just booked one)
        }
        try {
            timer.schedule(() -> pool.execute(() -> {
                booked.remove(hash, due); // a sooner one booked since keeps its own entry
                List<String> drains = waiting.entrySet().stream()
                        .filter(e -> e.getValue().emptySince() != null && RepairRecord.keyHashOf(e.getKey()).equals(hash))
                        .map(Map.Entry::getKey).sorted().toList();
                handle(hash, drains, new java.util.concurrent.ConcurrentHashMap<>());
                if (drains.stream().anyMatch(finished::contains)) {
                    wake(); // a pass lists the records again, so status stops showing this one
                }
            }), in, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            booked.remove(hash, due); // closed
        }
    }

    /** A drain's record names this site as both its target and its origin. */
    static boolean isDrain(String name) {
        String[] parts = name.split("/", 3);
        return parts.length == 3 && parts[1].equals(originOf(parts[2]));
    }

    /** Handles one record; returns what happened to it. */
    private RepairAction.Kind one(String name, Attempt before) {
        // a record tried before is known already: a site still down costs no call at all
        if (before != null && before.record() != null && waitsOnADownSite(name, before.record(), before)) {
            return RepairAction.Kind.RETRY;
        }
        RepairJournal.Entry entry;
        try {
            entry = await(journal.read(name));
        } catch (Exception e) {
            if (closing(e)) {
                return RepairAction.Kind.RETRY;
            }
            later(name, before, RepairAction.Kind.RETRY, "unreadable: " + e.getMessage(), null, null);
            return RepairAction.Kind.RETRY;
        }
        if (entry == null) {
            waiting.remove(name);
            return RepairAction.Kind.SUPERSEDED; // listed, but deleted since
        }
        RepairRecord r = entry.record();
        if (waitsOnADownSite(name, r, before)) {
            return RepairAction.Kind.RETRY;
        }
        KeyRepairer.Outcome outcome;
        try {
            outcome = await(repairer.repair(r, before == null ? null : before.emptySince()));
        } catch (Exception e) {
            if (closing(e)) {
                return RepairAction.Kind.RETRY; // the record stays; whoever runs next re-decides it
            }
            outcome = new KeyRepairer.Outcome(RepairAction.Kind.RETRY, e.toString(), false);
        }
        metrics.repair(outcome.kind().label());
        if (outcome.done()) {
            try {
                await(journal.remove(name));
                waiting.remove(name);
                finished.add(name);
                outcomes.incrementAndGet();
                log.info("repaired {} at {} ({}): {}", r.key(), r.target(), r.op(), outcome.reason());
            } catch (Exception e) {
                if (closing(e)) {
                    return outcome.kind();
                }
                // done at the target; the next pass finds it in sync and tries the delete again
                later(name, before, RepairAction.Kind.RETRY, "repaired, record not deleted: " + e.getMessage(), r,
                        null);
            }
            return outcome.kind();
        }
        if (outcome.kind() == RepairAction.Kind.CONFLICT && (before == null || before.kind() != outcome.kind())) {
            log.warn("repair conflict: {} at {}: {}", r.key(), r.target(), outcome.reason());
        }
        later(name, before, outcome.kind(), outcome.reason(), r, outcome.emptySince());
        return outcome.kind();
    }

    private void later(String name, Attempt before, RepairAction.Kind kind, String reason, RepairRecord r,
                       Long emptySince) {
        Duration delay;
        long wait;
        if (emptySince != null) {
            // a draining delete whose copies read empty: the second check is due one sync pass
            // after the first, never earlier (jitter only adds), and not a whole interval later;
            // should it then fail, its backoff starts from the interval as any other's
            delay = settings.interval();
            long elapsed = clock.millis() - emptySince / 1000; // emptySince is in microseconds
            long ms = Math.max(0, settings.syncPass().toMillis() - elapsed);
            wait = ms + ThreadLocalRandom.current().nextLong(0, ms / 10 + 1);
        } else {
            if (kind == RepairAction.Kind.CONFLICT) {
                delay = settings.maxBackoff(); // nothing will change soon; an operator might
            } else {
                // a site that came back since restarts the wait from the interval
                boolean cameBack = before != null && !before.downThen().isEmpty() && noneDown(before.downThen());
                Duration prev = before == null || cameBack ? settings.interval() : before.delay();
                delay = prev.multipliedBy(2);
                if (delay.compareTo(settings.maxBackoff()) > 0) {
                    delay = settings.maxBackoff();
                }
            }
            // +-20 % jitter, so records that failed together are not all retried together
            long ms = delay.toMillis();
            wait = ms + ThreadLocalRandom.current().nextLong(-ms / 5, ms / 5 + 1);
        }
        RepairRecord rec = r != null ? r : before != null ? before.record() : null;
        waiting.put(name, new Attempt(clock.instant().plusMillis(wait), delay, kind, reason, rec,
                emptySince, kind == RepairAction.Kind.RETRY ? away(rec) : Set.of()));
        outcomes.incrementAndGet(); // a record may have become a conflict
    }

    /**
     * A record waiting on a site whose health checks fail is not tried (no call would tell more);
     * the site's return wakes a pass that tries it. A record whose site has left its placement
     * is tried, so the repairer can drop it.
     */
    private boolean waitsOnADownSite(String name, RepairRecord r, Attempt before) {
        List<String> down = waitsOn(r).stream().filter(downNow::contains).toList();
        if (down.isEmpty() || !repairer.peersOf(r).containsAll(down)) {
            return false;
        }
        metrics.repair(RepairAction.Kind.RETRY.label());
        later(name, before, RepairAction.Kind.RETRY, String.join(", ", down) + " down (health checks fail)", r, null);
        return true;
    }

    /** The peers this record waits on that were away at this attempt. */
    private Set<String> away(RepairRecord r) {
        if (r == null) {
            return Set.of();
        }
        Set<String> waitsOn = new HashSet<>(waitsOn(r));
        waitsOn.retainAll(downNow);
        return Set.copyOf(waitsOn);
    }

    /** The sites a record needs: its target, or for a draining delete every other site of the placement. */
    private List<String> waitsOn(RepairRecord r) {
        return r.op() == org.autosync.placement.repair.RepairOp.CONTAINER_DRAIN ? repairer.peersOf(r)
                : List.of(r.target());
    }

    private boolean noneDown(Set<String> sites) {
        return sites.stream().noneMatch(downNow::contains);
    }


    /** The records left of a listing, by target site; a drain waits on every site, not one. */
    private RepairStatus.Backlog backlogOf(List<String> names, int mine) {
        Map<String, RepairStatus.SiteBacklog> perSite = new LinkedHashMap<>();
        Long oldest = null;
        int draining = 0;
        for (String name : names) {
            String[] parts = name.split("/", 3);
            if (parts.length < 3) {
                continue;
            }
            long stamp = stampOf(parts[2]);
            String target = parts[1];
            oldest = oldest == null ? stamp : Math.min(oldest, stamp);
            if (isDrain(name)) {
                draining++; // the delete waits for every site, not one
            } else {
                // waiting on the site: a record of this replica's share that is not a conflict (the
                // others' shares are judged by the replicas that try them)
                Attempt a = waiting.get(name);
                boolean waitsOnSite = RepairRecord.workerOf(RepairRecord.keyHashOf(name), settings.workers())
                        == settings.workerIndex() && (a == null || a.kind() != RepairAction.Kind.CONFLICT);
                perSite.merge(target, new RepairStatus.SiteBacklog(1, stamp, waitsOnSite ? stamp : null),
                        RepairStatus.SiteBacklog::plus);
            }
        }
        return new RepairStatus.Backlog(names.size(), mine, draining, oldest, perSite);
    }

    private RepairStatus summarize(Instant started, RepairStatus.Backlog backlog,
                                   Map<RepairAction.Kind, Integer> counts) {
        List<RepairStatus.Conflict> conflicts = new ArrayList<>();
        for (Attempt a : waiting.values()) {
            if (a.kind() == RepairAction.Kind.CONFLICT && a.record() != null && conflicts.size() < MAX_CONFLICTS_SHOWN) {
                // a drain waits on every site of the placement, not on one
                String site = a.record().op() == org.autosync.placement.repair.RepairOp.CONTAINER_DRAIN
                        ? "every site" : a.record().target();
                conflicts.add(new RepairStatus.Conflict(a.record().key(), site, a.reason()));
            }
        }
        return new RepairStatus(true, backlog.pending(), backlog.mine(), backlog.draining(), backlog.oldestStampMicros(),
                backlog.perSite(), conflicts, started, Duration.between(started, clock.instant()), counts, null,
                settings.staleAfter());
    }

    /** The origin site in {@code <stamp>-<origin>-<nonce>}, site names with dashes included. */
    static String originOf(String last) {
        int first = last.indexOf('-');
        int lastDash = last.lastIndexOf('-');
        return first < 0 || lastDash <= first ? "" : last.substring(first + 1, lastDash);
    }

    static long stampOf(String last) {
        int dash = last.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? last : last.substring(0, dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether {@code e} is this thread being stopped (close): the interrupt is kept for the loop above. */
    private static boolean closing(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return true;
        }
        return false;
    }

    private static <T> T await(CompletableFuture<T> f) throws InterruptedException, ExecutionException,
            TimeoutException {
        return f.get(CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        thread.shutdownNow();
        pool.shutdownNow();
        try {
            // a key's calls end within their limit; none is started after this
            thread.awaitTermination(5, TimeUnit.SECONDS);
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
