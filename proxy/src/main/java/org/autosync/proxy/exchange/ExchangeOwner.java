package org.autosync.proxy.exchange;

/** The client connection an exchange belongs to. */
public interface ExchangeOwner {
    /**
     * The response is written (or abandoned). With {@code closeConnection} the owner closes once
     * the last write is out; otherwise it may read the next request.
     */
    void exchangeDone(ClientExchange exchange, boolean closeConnection);
}
