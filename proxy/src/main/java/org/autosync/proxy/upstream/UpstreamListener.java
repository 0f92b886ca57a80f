package org.autosync.proxy.upstream;

import io.netty.handler.codec.http.HttpObject;

/**
 * Whoever currently leases an upstream connection. Every call happens on the connection's event
 * loop. Ownership of each message passes to the listener.
 */
public interface UpstreamListener {
    void onUpstreamMessage(HttpObject msg);

    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged();

    /** No response started within the time given to {@link UpstreamPool#expectResponse}. */
    void onResponseTimeout();

    /** The connection closed while leased; {@code cause} is null for a plain close. */
    void onUpstreamClosed(Throwable cause);
}
