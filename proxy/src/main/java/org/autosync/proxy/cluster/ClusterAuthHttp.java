package org.autosync.proxy.cluster;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
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
        this.http = requireNonNull(http, "http");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public CompletableFuture<AuthResponse> send(String method, URI url, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        String pathWithQuery = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        URI base = URI.create(url.getScheme() + "://" + url.getRawAuthority());
        return http.send(base, new ClusterRequest(method, pathWithQuery, h, body), timeout)
                .thenApply(r -> new AuthResponse(r.status(), r.headers(), r.body()));
    }
}
