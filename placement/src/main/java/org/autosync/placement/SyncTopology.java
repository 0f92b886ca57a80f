package org.autosync.placement;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where each copy of a container syncs to. For a placement {@code [s1, ..., sn]} the copy at
 * {@code s(i)} syncs to {@code s(i+1)} and {@code sn} back to {@code s1}: a ring, so every
 * object written at any site reaches every other site with each copy sending to exactly one
 * peer. A one-site placement needs no sync.
 *
 * <p>A ring breaks where a site is down: what the site before it writes stops there. So each
 * function also takes the sites to route {@code around}: the copy syncs to the next site of the
 * ring that is not among them (itself excepted), and the ring closes over the gap.
 */
public final class SyncTopology {

    private final String realm;

    /** @param realm the container-sync realm name shared by all sites (e.g. {@code lab}) */
    public SyncTopology(String realm) {
        Objects.requireNonNull(realm, "realm");
        if (realm.isBlank() || realm.indexOf('/') >= 0) {
            throw new IllegalArgumentException("realm: must be a non-blank single path segment, not '" + realm + "'");
        }
        this.realm = realm;
    }

    public String realm() {
        return realm;
    }

    /** The site the copy at {@code atSite} syncs to, empty for a one-site placement. */
    public Optional<Site> next(Placement placement, String atSite) {
        return next(placement, atSite, Set.of());
    }

    /**
     * The site the copy at {@code atSite} syncs to when the sites in {@code around} are routed
     * around: the first site after it in ring order that is not in {@code around}. When every
     * other site is to be routed around, the ring stays as it is: there is no better target, and
     * the sync resumes by itself when the next site returns.
     */
    public Optional<Site> next(Placement placement, String atSite, Set<String> around) {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(around, "around");
        int i = placement.indexOf(atSite);
        if (i < 0) {
            throw new IllegalArgumentException("site '" + atSite + "' is not in placement " + placement);
        }
        int n = placement.size();
        if (n == 1) {
            return Optional.empty();
        }
        for (int k = 1; k < n; k++) {
            Site s = placement.sites().get((i + k) % n);
            if (!around.contains(s.name())) {
                return Optional.of(s);
            }
        }
        return Optional.of(placement.sites().get((i + 1) % n));
    }

    /**
     * The {@code X-Container-Sync-To} value for the copy of {@code account/container} at {@code atSite}:
     * {@code //<realm>/<realmCluster of next site>/<account>/<container>}.
     *
     * <p>{@code account} and {@code container} are put in verbatim, so pass them exactly as they
     * appear in the request path (still percent-encoded): Swift treats the path part of a realm-form
     * sync target as an already-quoted URL path.
     *
     * @throws IllegalArgumentException if {@code atSite} is not in the placement
     */
    public Optional<String> syncTo(Placement placement, String atSite, String account, String container) {
        return syncTo(placement, atSite, account, container, Set.of());
    }

    /** As {@link #syncTo(Placement, String, String, String)}, with the sites in {@code around} routed around. */
    public Optional<String> syncTo(Placement placement, String atSite, String account, String container,
                                   Set<String> around) {
        requireSegment(account, "account");
        requireSegment(container, "container");
        return next(placement, atSite, around)
                .map(next -> "//" + realm + "/" + next.realmCluster() + "/" + account + "/" + container);
    }

    private static void requireSegment(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty() || value.indexOf('/') >= 0) {
            throw new IllegalArgumentException(field + ": must be a non-empty single path segment, not '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return "SyncTopology[realm=" + realm + "]";
    }
}
