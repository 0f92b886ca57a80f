package org.autosync.auth;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP calls a service login needs, kept abstract so this module stays free of Netty and
 * HTTP client libraries; the proxy supplies the implementation.
 */
@FunctionalInterface
public interface AuthHttp {

    /**
     * Sends one request. The future completes with any response, including error statuses; it fails
     * only when no response was received (connection, TLS, timeout...).
     */
    CompletableFuture<AuthResponse> send(String method, URI url, Map<String, String> headers, byte[] body);

    default CompletableFuture<AuthResponse> get(URI url, Map<String, String> headers) {
        return send("GET", url, headers, new byte[0]);
    }
}
