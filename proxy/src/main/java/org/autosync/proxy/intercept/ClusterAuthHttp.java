package org.autosync.proxy.intercept;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.AuthHttp;
import org.autosync.auth.AuthResponse;

/** The service-login calls of {@link org.autosync.auth.TokenCache}, made with {@link ClusterClient}. */
public final class ClusterAuthHttp implements AuthHttp {
    private final ClusterClient http;
    private final Duration timeout;

    public ClusterAuthHttp(ClusterClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<AuthResponse> get(URI url, Map<String, String> headers) {
        Map<String, List<String>> h = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        String pathWithQuery = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        URI base = URI.create(url.getScheme() + "://" + url.getRawAuthority());
        return http.send(base, new ClusterRequest("GET", pathWithQuery, h, new byte[0]), timeout)
                .thenApply(r -> new AuthResponse(r.status(), r.headers()));
    }
}
