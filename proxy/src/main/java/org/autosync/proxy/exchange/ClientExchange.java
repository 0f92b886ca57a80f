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

    /** Nothing moved on the client connection for the idle timeout. */
    void onClientIdle();

    /** The proxy is shutting down: finish this exchange, then close the connection. */
    void closeAfterResponse();
}
