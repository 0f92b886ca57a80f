package org.autosync.placement.repair;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.autosync.placement.repair.CopyState.Presence;

/**
 * What a full reconcile does with one container, from the state of its copy at every site of
 * its placement and nothing else (no record of a change is pending for it: those are repair's).
 * A pure function, tested case by case.
 *
 * <ul>
 *   <li>every copy there, same metadata, right sync headers: unmodified;</li>
 *   <li>a copy missing: created there with the metadata the others agree on and its sync
 *       headers. Autosync records every delete it is asked for, so a copy missing with no record
 *       was never created there, or was deleted straight at that site's Swift: both come back,
 *       and the detail says so;</li>
 *   <li>copies missing, and a site's record (its change clock
 *       {@link ChangeClock#CONTAINER_DELETED}) says Autosync deleted the container after the
 *       remaining copies were last changed: they are left over from that delete, and deleted
 *       when empty (a conflict when not);</li>
 *   <li>sync headers missing or wrong at a site: rewritten;</li>
 *   <li>metadata that differs between copies, or storage policies that differ: a conflict, left
 *       as it is (no change record says which value is newer);</li>
 *   <li>a copy that cannot be read: failed, nothing done.</li>
 * </ul>
 */
public final class ReconcileDecision {
    /**
     * How long before a recorded delete a copy must have been last changed to count as left over
     * from it. Far wider than the clock skew the sites are taken to keep within: a copy is only
     * deleted when nothing else could explain it, and one changed near the delete is reported.
     */
    static final long LEFT_OVER_MARGIN_MICROS = 60_000_000L;

    private ReconcileDecision() {
    }

    public enum Verdict { UNMODIFIED, UPDATED, CONFLICT, FAILED }

    /**
     * One request for one site: CREATE (PUT) or UPDATE (POST) with these headers, and the change
     * clocks of the values it copies (so the site records them, and keeps a newer value it has).
     */
    public record SiteAction(String site, RepairAction.Kind kind, Map<String, String> headers,
                             Map<String, ChangeClock> clocks) {
        public SiteAction {
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(kind, "kind");
            headers = java.util.Collections.unmodifiableMap(new TreeMap<>(headers));
            clocks = java.util.Collections.unmodifiableMap(new TreeMap<>(clocks));
        }

        public SiteAction(String site, RepairAction.Kind kind, Map<String, String> headers) {
            this(site, kind, headers, Map.of());
        }
    }

    /**
     * {@code clocksFrom}: decided without the sites' change clocks, and the clocks of these sites
     * may change it: those of the copies whose metadata differs may settle it, those of the sites
     * where a copy is missing may hold the delete that explains it (the site that takes a delete
     * deletes its own copy). Empty: the clocks change nothing.
     */
    public record Plan(Verdict verdict, List<SiteAction> actions, String reason, Set<String> clocksFrom) {
        public Plan {
            Objects.requireNonNull(verdict, "verdict");
            actions = List.copyOf(actions);
            Objects.requireNonNull(reason, "reason");
            clocksFrom = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(clocksFrom));
        }

        Plan(Verdict verdict, List<SiteAction> actions, String reason) {
            this(verdict, actions, reason, Set.of());
        }
    }

    /**
     * @param copies the copy at each placement site, in placement order (site -> state)
     * @param sync   the sync headers each site's copy must carry (site -> name -> value; an
     *               empty map for a one-site placement)
     */
    public static Plan decide(Map<String, CopyState> copies, Map<String, Map<String, String>> sync) {
        return decide(copies, sync, Map.of());
    }

    /**
     * As {@link #decide(Map, Map)}, with each site's change clocks for this container (site ->
     * header -> clock): a header whose values differ takes the value of the site with the newest
     * clock for it; a differing header no site has a clock for is a conflict.
     */
    public static Plan decide(Map<String, CopyState> copies, Map<String, Map<String, String>> sync,
                              Map<String, Map<String, ChangeClock>> clocks) {
        Objects.requireNonNull(copies, "copies");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(clocks, "clocks");
        List<String> unreadable = new ArrayList<>();
        List<String> present = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        copies.forEach((site, c) -> {
            switch (c.presence()) {
                case UNKNOWN -> unreadable.add(site + " (" + c.detail() + ")");
                case PRESENT -> present.add(site);
                case ABSENT -> absent.add(site);
            }
        });
        if (!unreadable.isEmpty()) {
            return new Plan(Verdict.FAILED, List.of(), "cannot read " + String.join(", ", unreadable));
        }
        if (present.isEmpty()) {
            return new Plan(Verdict.UNMODIFIED, List.of(), "no copy anywhere");
        }
        ChangeClock deleted = newestDelete(clocks, absent);
        if (deleted != null && !absent.isEmpty()) {
            Plan leftOver = leftOverFromDelete(copies, present, deleted);
            if (leftOver != null) {
                return leftOver;
            }
        }
        Set<String> policies = new LinkedHashSet<>();
        for (String s : present) {
            String p = copies.get(s).header(ReplicatedHeaders.STORAGE_POLICY);
            if (p != null) {
                policies.add(p);
            }
        }
        if (policies.size() > 1) {
            return new Plan(Verdict.CONFLICT, List.of(), "storage policies differ: " + describe(copies, present,
                    ReplicatedHeaders.STORAGE_POLICY) + "; container-sync needs the copies to match");
        }
        boolean synced = sync.values().stream().anyMatch(m -> !m.isEmpty());
        List<String> versioned = present.stream()
                .filter(s -> copies.get(s).header(ReplicatedHeaders.VERSIONS_ENABLED) != null).toList();
        if (synced && !versioned.isEmpty()) {
            // Swift keeps the marker once set (True or False) and then refuses container-sync on it
            List<String> where = versioned.stream().map(s -> s + " (X-Versions-Enabled: "
                    + copies.get(s).header(ReplicatedHeaders.VERSIONS_ENABLED) + ")").toList();
            return new Plan(Verdict.CONFLICT, List.of(), "not synced: object versioning is configured at "
                    + String.join(", ", where) + ", and Swift refuses "
                    + "container-sync on a container that ever had it; move its objects to a new container");
        }
        Settled settled = settle(copies, present, clocks, true);
        Map<String, String> metadata = settled.metadata();
        Map<String, ChangeClock> winningClock = settled.clocks();
        List<String> unsettled = settled.unsettled();
        // without clocks: the missing copies' sites may hold a delete, the differing ones a newer value
        Set<String> clocksFrom = new LinkedHashSet<>(clocks.isEmpty() ? absent : List.of());
        if (!unsettled.isEmpty()) {
            if (clocks.isEmpty()) {
                clocksFrom.addAll(present);
            }
            return new Plan(Verdict.CONFLICT, List.of(), "metadata differs and no change record says which is "
                    + "newer: " + String.join("; ", unsettled), clocksFrom);
        }
        Map<String, ChangeClock> createClocks = createClocks(metadata, winningClock, clocks, present);
        if (clocks.isEmpty() && !absent.isEmpty() && !metadata.isEmpty()) {
            // the site may hold clocks of a copy it lost, and keeps its newer value (here: none)
            // of each header that arrives without one: the values must go with their clocks
            clocksFrom.addAll(present);
        }
        List<SiteAction> actions = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (String s : absent) {
            Map<String, String> h = new TreeMap<>(metadata);
            policies.forEach(p -> h.put(ReplicatedHeaders.STORAGE_POLICY, p));
            h.putAll(sync.getOrDefault(s, Map.of()));
            actions.add(new SiteAction(s, RepairAction.Kind.CREATE, h, createClocks));
            why.add("missing at " + s + " (never created there, or deleted straight at its Swift)");
        }
        updates(copies, present, settled, sync, "metadata", actions, why);
        return actions.isEmpty()
                ? new Plan(Verdict.UNMODIFIED, List.of(), "in sync")
                : new Plan(Verdict.UPDATED, actions, String.join("; ", why), clocksFrom);
    }

    /**
     * The newest container delete a site without a copy recorded, or null. The site that takes a
     * delete deletes its own copy; one that holds a copy again (a drain that failed there, a
     * re-create) shows by that copy whether the container exists.
     */
    private static ChangeClock newestDelete(Map<String, Map<String, ChangeClock>> clocks, List<String> absent) {
        ChangeClock newest = null;
        for (String s : absent) {
            ChangeClock c = clocks.getOrDefault(s, Map.of()).get(ChangeClock.CONTAINER_DELETED);
            if (c != null && c.isNewerThan(newest)) {
                newest = c;
            }
        }
        return newest;
    }

    /**
     * Autosync deleted this container, and copies remain while others are gone: copies last
     * changed well before the delete ({@link #LEFT_OVER_MARGIN_MICROS}) are left over from it (a
     * site that missed it, whose record was lost) and are deleted, when empty; one that holds
     * objects (or does not say) is kept and reported, as is one changed too close to the delete
     * to tell. Null when a copy was changed after it (by more than the sites' clocks may differ):
     * the container exists again, and the missing copies are made.
     */
    private static Plan leftOverFromDelete(Map<String, CopyState> copies, List<String> present, ChangeClock deleted) {
        long at = deleted.stampMicros();
        if (present.stream().anyMatch(s -> copies.get(s).changedAfter(at + RepairDecision.CLOCKS_AGREE_WITHIN_MICROS))) {
            return null;
        }
        String atSite = java.time.Instant.ofEpochSecond(at / 1_000_000L) + " (at " + deleted.site() + ")";
        String when = "deleted through Autosync at " + atSite;
        List<String> unsure = present.stream()
                .filter(s -> !copies.get(s).changedBefore(at - LEFT_OVER_MARGIN_MICROS)).toList();
        if (!unsure.isEmpty()) {
            return new Plan(Verdict.CONFLICT, List.of(), when + ", and the copy at " + String.join(", ", unsure)
                    + " was changed less than " + LEFT_OVER_MARGIN_MICROS / 1_000_000L + " s before it or just "
                    + "after (by Last-Modified): not surely left over; kept");
        }
        List<String> full = present.stream()
                .filter(s -> copies.get(s).knownObjectCount() == null || copies.get(s).knownObjectCount() > 0)
                .map(s -> s + " (" + (copies.get(s).knownObjectCount() == null ? "object count unknown"
                        : copies.get(s).knownObjectCount() + " objects") + ")").toList();
        if (!full.isEmpty()) {
            return new Plan(Verdict.CONFLICT, List.of(), when + ", but the copy left at " + String.join(", ", full)
                    + " holds objects: kept; delete them and the container through Autosync, or PUT the container "
                    + "through Autosync to keep it everywhere");
        }
        List<SiteAction> deletes = present.stream()
                .map(s -> new SiteAction(s, RepairAction.Kind.DELETE, Map.of())).toList();
        return new Plan(Verdict.UPDATED, deletes, "the empty copy at " + String.join(", ", present)
                + " is left over from the delete through Autosync at " + atSite);
    }

    /**
     * The clocks a new copy's values go with: a settled header's winning clock, else the newest
     * clock any present copy (all holding the same value) has for it.
     */
    private static Map<String, ChangeClock> createClocks(Map<String, String> metadata,
                                                         Map<String, ChangeClock> winningClock,
                                                         Map<String, Map<String, ChangeClock>> clocks,
                                                         List<String> present) {
        Map<String, ChangeClock> out = new TreeMap<>();
        for (String name : metadata.keySet()) {
            ChangeClock best = winningClock.get(name);
            if (best == null) {
                for (String s : present) {
                    ChangeClock c = clocks.getOrDefault(s, Map.of()).get(name);
                    if (c != null && c.isNewerThan(best)) {
                        best = c;
                    }
                }
            }
            if (best != null) {
                out.put(name, best);
            }
        }
        return out;
    }

    /** The values every present copy must end with, their clocks, and the headers no clock settles. */
    private record Settled(Map<String, String> metadata, Map<String, ChangeClock> clocks, List<String> unsettled) {
    }

    private static Settled settle(Map<String, CopyState> copies, List<String> present,
                                  Map<String, Map<String, ChangeClock>> clocks, boolean container) {
        Map<String, String> metadata = new TreeMap<>(ReplicatedHeaders.of(copies.get(present.get(0)).headers(),
                container));
        List<String> unsettled = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(metadata.keySet());
        for (String s : present) {
            names.addAll(ReplicatedHeaders.of(copies.get(s).headers(), container).keySet());
        }
        // per header the value every copy must end with, and the clock it carries
        Map<String, ChangeClock> winningClock = new TreeMap<>();
        for (String name : names) {
            Set<String> values = new LinkedHashSet<>();
            for (String s : present) {
                values.add(String.valueOf(copies.get(s).header(name)));
            }
            if (values.size() == 1) {
                continue;
            }
            String winner = null;
            ChangeClock best = null;
            for (String s : present) {
                ChangeClock c = clocks.getOrDefault(s, Map.of()).get(name);
                if (c != null && c.isNewerThan(best)) {
                    best = c;
                    winner = s;
                }
            }
            if (winner == null) {
                unsettled.add(name + " is " + describe(copies, present, name));
                continue;
            }
            String v = copies.get(winner).header(name);
            if (sameClockOtherValue(copies, present, clocks, name, best, v)) {
                // one change cannot have two values: a write raced the one that carried this
                // clock (a repair's POST landing after a client's), so no clock says which is newer
                unsettled.add(name + " is " + describe(copies, present, name) + " under the same change clock");
                continue;
            }
            if (v == null) {
                metadata.remove(name);
            } else {
                metadata.put(name, v);
            }
            winningClock.put(name, best);
        }
        return new Settled(metadata, winningClock, unsettled);
    }

    private static boolean sameClockOtherValue(Map<String, CopyState> copies, List<String> present,
                                               Map<String, Map<String, ChangeClock>> clocks, String name,
                                               ChangeClock best, String value) {
        for (String s : present) {
            if (best.equals(clocks.getOrDefault(s, Map.of()).get(name))
                    && !Objects.equals(value, copies.get(s).header(name))) {
                return true;
            }
        }
        return false;
    }

    /** A POST for every present copy with an older value or wrong sync headers. */
    private static void updates(Map<String, CopyState> copies, List<String> present, Settled settled,
                                Map<String, Map<String, String>> sync, String what, List<SiteAction> actions,
                                List<String> why) {
        for (String s : present) {
            Map<String, String> h = new TreeMap<>();
            Map<String, ChangeClock> carried = new TreeMap<>();
            settled.clocks().forEach((name, clock) -> {
                String want = settled.metadata().getOrDefault(name, "");
                String have = copies.get(s).header(name);
                if (!want.equals(have == null ? "" : have)) {
                    h.put(name, want);
                    carried.put(name, clock);
                }
            });
            boolean older = !h.isEmpty();
            sync.getOrDefault(s, Map.of()).forEach((k, v) -> {
                if (!v.equals(copies.get(s).header(k))) {
                    h.put(k, v);
                }
            });
            if (!h.isEmpty()) {
                actions.add(new SiteAction(s, RepairAction.Kind.UPDATE, h, carried));
                why.add(older ? "older " + what + " at " + s + " (" + String.join(", ", carried.keySet()) + ")"
                        : "sync headers wrong at " + s);
            }
        }
    }

    /**
     * An account's copies at the sites of its placement: metadata and ACLs that differ are settled
     * by the change clocks (UPDATE the older copies), or reported; an account missing at a site is
     * left to Swift's account autocreate, and nothing else is compared.
     */
    public static Plan decideAccount(Map<String, CopyState> copies, Map<String, Map<String, ChangeClock>> clocks) {
        Objects.requireNonNull(copies, "copies");
        Objects.requireNonNull(clocks, "clocks");
        List<String> present = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        copies.forEach((site, c) -> {
            if (c.presence() == Presence.UNKNOWN) {
                unreadable.add(site + " (" + c.detail() + ")");
            } else if (c.presence() == Presence.PRESENT) {
                present.add(site);
            }
        });
        if (!unreadable.isEmpty()) {
            return new Plan(Verdict.FAILED, List.of(), "cannot read " + String.join(", ", unreadable));
        }
        if (present.size() < 2) {
            return new Plan(Verdict.UNMODIFIED, List.of(), "nothing to compare");
        }
        Settled settled = settle(copies, present, clocks, false);
        if (!settled.unsettled().isEmpty()) {
            return new Plan(Verdict.CONFLICT, List.of(), "account metadata differs and no change record says which is "
                    + "newer: " + String.join("; ", settled.unsettled()), clocks.isEmpty() ? Set.copyOf(present) : Set.of());
        }
        List<SiteAction> actions = new ArrayList<>();
        List<String> why = new ArrayList<>();
        updates(copies, present, settled, Map.of(), "account metadata", actions, why);
        return actions.isEmpty() ? new Plan(Verdict.UNMODIFIED, List.of(), "in sync")
                : new Plan(Verdict.UPDATED, actions, String.join("; ", why));
    }

    private static String describe(Map<String, CopyState> copies, List<String> sites, String name) {
        Map<String, String> by = new LinkedHashMap<>();
        for (String s : sites) {
            String v = copies.get(s).header(name);
            // temp-URL keys are secrets: reports say that they differ, never what they are
            by.put(s, v == null ? "unset" : ReplicatedHeaders.isSecret(name) ? "(a key)" : "'" + v + "'");
        }
        List<String> parts = new ArrayList<>();
        by.forEach((s, v) -> parts.add(v + " at " + s));
        return String.join(", ", parts);
    }
}
