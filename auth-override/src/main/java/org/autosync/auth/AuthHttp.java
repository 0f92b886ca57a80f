package org.autosync.auth;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one HTTP call the token cache needs, kept abstract so this module stays free of Netty and
 * HTTP client libraries; the proxy supplies the implementation.
 */
@FunctionalInterface
public interface AuthHttp {

    /**
     * Sends a GET with the given headers. The future completes with any response, including error
     * statuses; it fails only when no response was received (connection, TLS, timeout...).
     */
    CompletableFuture<AuthResponse> get(URI url, Map<String, String> headers);
}
