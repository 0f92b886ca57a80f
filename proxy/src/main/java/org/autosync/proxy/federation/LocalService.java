package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.AuthFailedException;
import org.autosync.auth.TokenCache;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.cluster.LocalCall;

/**
 * Calls to this site's own cluster as this site's service identity: what peers ask for in
 * override mode, and Autosync's own work (repair records, repairs). Failures become answers.
 */
public final class LocalService {
    private final ClusterClient http;
    private final URI localCluster;
    private final TokenCache tokens;
    private final Duration timeout;
    private final String site;

    public LocalService(ClusterClient http, URI localCluster, TokenCache tokens, Duration timeout, String site) {
        this.http = requireNonNull(http, "http");
        this.localCluster = requireNonNull(localCluster, "localCluster");
        this.tokens = requireNonNull(tokens, "tokens");
        this.timeout = requireNonNull(timeout, "timeout");
        this.site = requireNonNull(site, "site");
    }

    /** Sends {@code req} with the service token; on 401 one fresh login and one retry. */
    public CompletableFuture<ClusterResponse> send(ClusterRequest req) {
        return tokens.token()
                .thenCompose(token -> withToken(req, token).thenCompose(resp -> {
                    if (resp.status() != 401) {
                        return CompletableFuture.completedFuture(resp);
                    }
                    // The cluster forgot or expired our token: one fresh login, one retry.
                    tokens.invalidate(token);
                    return tokens.token().thenCompose(fresh -> withToken(req, fresh));
                }))
                .exceptionally(err -> {
                    Throwable t = ClusterClient.cause(err);
                    if (t instanceof AuthFailedException) {
                        // TokenCache has logged it, once
                        return ClusterResponse.text(503, "autosync: site " + site
                                + " cannot log in to its own cluster with its service credentials")
                                .with(PeerClient.ERROR_HEADER, PeerClient.AUTH_FAILED);
                    }
                    return ClusterResponse.text(502, "autosync: site " + site + " failed: "
                            + t.getClass().getSimpleName());
                });
    }

    private CompletableFuture<ClusterResponse> withToken(ClusterRequest r, String token) {
        return LocalCall.send(http, localCluster, r.with("X-Auth-Token", token), timeout);
    }
}
