package org.autosync.proxy.federation;

/**
 * The one home of the headers that carry repair state between sites: change clocks, and whether
 * records are pending. Only Autosync sets them: the fan-out drops a client's, and a peer's are
 * covered by its signature.
 */
public final class ClockHeaders {
    /** {@code name=clock, ...}: when each replicated header's value was set, and where. */
    public static final String CLOCKS = "X-Autosync-Clocks";
    /** On a peer's HEAD: answer with this site's clocks for the key in {@link #CLOCKS}. */
    public static final String WANT_CLOCKS = "X-Autosync-Want-Clocks";
    /**
     * On a peer's GET of an account: answer, instead of the listing, with a page of the container
     * deletes that site took in the account; the value is {@link #FIRST_PAGE} or the URL-encoded
     * marker ({@code next}) the previous page gave.
     */
    public static final String WANT_DELETES = "X-Autosync-Want-Deletes";
    public static final String FIRST_PAGE = "first";
    /** On a peer's HEAD: answer in {@link #PENDING} whether this site has repair records pending for the key. */
    public static final String WANT_PENDING = "X-Autosync-Want-Pending";
    /**
     * On a peer's HEAD: answer in {@link #PENDING} whether this site holds repair records of the
     * key aimed at the asking site (the signed peer), by a listing made now. A draining delete
     * asks it before it deletes: a change a client made at this site since, whose leg did not
     * arrive, wants the container kept.
     */
    public static final String WANT_PENDING_TO_ME = "X-Autosync-Want-Pending-To-Me";
    /** {@code 1} or {@code 0}: this site has repair records pending for the key, or none. */
    public static final String PENDING = "X-Autosync-Pending";
    /**
     * On a peer's container PUT or POST: when the client made the change it carries (microseconds);
     * the peer calls off its draining deletes of the container that are older.
     */
    public static final String CHANGED_AT = "X-Autosync-Changed-At";
    /** Every header above: a client's are dropped, a peer's never reach Swift. */
    public static final java.util.List<String> ALL = java.util.List.of(CLOCKS, WANT_CLOCKS, WANT_DELETES,
            WANT_PENDING, WANT_PENDING_TO_ME, PENDING, CHANGED_AT);

    /** {@code req} without any of {@link #ALL}. */
    public static org.autosync.proxy.cluster.ClusterRequest without(org.autosync.proxy.cluster.ClusterRequest req) {
        org.autosync.proxy.cluster.ClusterRequest out = req;
        for (String h : ALL) {
            out = out.with(h, null);
        }
        return out;
    }

    private ClockHeaders() {
    }
}
