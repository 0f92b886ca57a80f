package org.autosync.proxy.exchange;

import io.netty.handler.codec.http.HttpContent;

/**
 * One request and its response, as seen from the client connection. All calls come from the
 * client's event loop; ownership of each content passes to the exchange.
 */
public interface ClientExchange {
    void start();

    void onClientContent(HttpContent content);

    void onClientReadComplete();

    void onClientWritabilityChanged();

    /** The client connection closed; release everything and abort what is in flight upstream. */
    void onClientClosed();

    /**
     * The client sent nothing for the idle timeout (called again after each further period).
     * {@code outputMoving}: response bytes queued for the client went out since the last call, so
     * the client is reading. The exchange decides whether that is idleness.
     */
    void onClientIdle(boolean outputMoving);

    /** The proxy is shutting down: finish this exchange, then close the connection. */
    void closeAfterResponse();
}
