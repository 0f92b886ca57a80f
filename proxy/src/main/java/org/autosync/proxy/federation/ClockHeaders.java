package org.autosync.proxy.federation;

/**
 * The one home of the headers that carry change clocks between sites. Only Autosync sets them:
 * the fan-out drops a client's, and a peer's are covered by its signature.
 */
public final class ClockHeaders {
    /** {@code name=clock, ...}: when each replicated header's value was set, and where. */
    public static final String CLOCKS = "X-Autosync-Clocks";
    /** On a peer's HEAD: answer with this site's clocks for the key in {@link #CLOCKS}. */
    public static final String WANT_CLOCKS = "X-Autosync-Want-Clocks";

    private ClockHeaders() {
    }
}
