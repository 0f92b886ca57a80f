package org.autosync.proxy.federation.ring;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.autosync.placement.Placement;
import org.autosync.placement.RingDetour;
import org.autosync.placement.SyncTopology;
import org.autosync.proxy.config.RingSettings;

/**
 * This site's view of its sync rings: for each peer, whether copies sync to it or past it
 * (routed around while it is down). The one source of every sync target Autosync writes or
 * expects: the fan-out, repair, reconcile, the canaries and the {@link RingRewirer} all ask here,
 * so none of them undoes another's wiring. A peer's own copies are its own to wire: it replaces
 * the target a peer request carries with the one its own routes give.
 */
public final class RingRoutes {
    private final SyncTopology topology;
    private final RingSettings settings;
    private final Predicate<String> isDown;
    private final Map<String, RingDetour> detours = new LinkedHashMap<>();
    private volatile Set<String> around = Set.of();
    /** Set where the routes are not known (a command without the running proxy): existing copies keep theirs. */
    private volatile boolean keepExistingTargets;

    /**
     * All peers synced through, watched from {@code now}.
     *
     * @param isDown whether a peer is down now (its health): what the routes follow, and what a
     *               change to an existing copy is never pointed at
     */
    public RingRoutes(SyncTopology topology, Collection<String> peers, RingSettings settings, Predicate<String> isDown,
                      Instant now) {
        this.topology = requireNonNull(topology, "topology");
        this.settings = requireNonNull(settings, "settings");
        this.isDown = requireNonNull(isDown, "isDown");
        for (String p : requireNonNull(peers, "peers")) {
            detours.put(p, RingDetour.watchedFrom(now));
        }
    }

    /**
     * After a look at every peer's health at {@code now}: the peers whose route changed (routed
     * around, or taken back).
     */
    public synchronized Set<String> look(Instant now) {
        Set<String> changed = new TreeSet<>();
        Set<String> next = new TreeSet<>();
        detours.replaceAll((site, d) -> {
            RingDetour after = d.after(isDown.test(site), now, settings.detourAfter(), settings.returnAfter());
            if (after.route() != d.route()) {
                changed.add(site);
            }
            if (after.isAround()) {
                next.add(site);
            }
            return after;
        });
        around = Set.copyOf(next);
        return changed;
    }

    /**
     * Takes the routes of the running proxy of this site (a command run beside it): the peers in
     * {@code aroundThere} are routed around, whatever this process saw.
     */
    public synchronized void adopt(Set<String> aroundThere) {
        around = Set.copyOf(aroundThere);
        detours.replaceAll((site, d) -> new RingDetour(aroundThere.contains(site) ? RingDetour.Route.AROUND
                : RingDetour.Route.THROUGH, aroundThere.contains(site), d.since()));
    }

    /** The routes are not known: a change to an existing copy leaves its target as it is. */
    public void keepExistingTargets() {
        keepExistingTargets = true;
    }

    /** The peers routed around now. */
    public Set<String> around() {
        return around;
    }

    /** Whether this site's copies route around {@code site} now. */
    public boolean isAround(String site) {
        return around.contains(site);
    }

    /** The sync target of the copy at {@code atSite} with the routes as they are now (see {@link SyncTopology}). */
    public Optional<String> syncTo(Placement placement, String atSite, String account, String container) {
        return topology.syncTo(placement, atSite, account, container, around);
    }

    /**
     * The target to write for the copy at {@code atSite} in a client's or a repair's change: the
     * routed one, except for a change to an existing copy ({@code create} false) whose routed
     * target is a site that is down now (a route not settled yet after a restart, or every other
     * site away): then empty, and the copy keeps the target it has, which the ring rewirer set.
     */
    public Optional<String> targetForChange(Placement placement, String atSite, String account, String container,
                                            boolean create) {
        Set<String> a = around;
        if (!create && keepExistingTargets) {
            return Optional.empty();
        }
        if (!create) {
            Optional<org.autosync.placement.Site> next = topology.next(placement, atSite, a);
            if (next.isPresent() && !next.get().name().equals(atSite) && isDown.test(next.get().name())) {
                return Optional.empty();
            }
        }
        return topology.syncTo(placement, atSite, account, container, a);
    }

    /** The same with the sites in {@code aroundThen} routed around: what a target was before a change. */
    public Optional<String> syncTo(Placement placement, String atSite, String account, String container,
                                   Set<String> aroundThen) {
        return topology.syncTo(placement, atSite, account, container, aroundThen);
    }

    /** Per peer: {@code through} or {@code around}, whether it is down, and since when. */
    public synchronized Map<String, Map<String, Object>> snapshot() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        detours.forEach((site, d) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("route", d.route().name().toLowerCase(java.util.Locale.ROOT));
            one.put(d.down() ? "down_since" : "up_since", d.since().toString());
            m.put(site, one);
        });
        return m;
    }
}
