package org.autosync.proxy.intercept;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.AuthFailedException;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.TokenCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified peer's request, applied at this site only, as this site's service identity: the
 * peer's cluster token means nothing here, so whatever token came along is dropped.
 */
public final class PeerApply {
    private static final Logger log = LoggerFactory.getLogger(PeerApply.class);
    private static final List<String> DROPPED = List.of("x-auth-token", "x-storage-token", "authorization",
            "cookie", "x-service-token");

    private final ClusterClient http;
    private final URI localCluster;
    private final TokenCache tokens;
    private final Duration timeout;
    private final String site;

    public PeerApply(ClusterClient http, URI localCluster, TokenCache tokens, Duration timeout, String site) {
        this.http = requireNonNull(http, "http");
        this.localCluster = requireNonNull(localCluster, "localCluster");
        this.tokens = requireNonNull(tokens, "tokens");
        this.timeout = requireNonNull(timeout, "timeout");
        this.site = requireNonNull(site, "site");
    }

    public CompletableFuture<ClusterResponse> apply(ClusterRequest req) {
        ClusterRequest clean = req;
        for (String h : DROPPED) {
            clean = clean.with(h, null);
        }
        for (String h : req.headers().keySet()) {
            if (PeerHeaders.isPeerHeader(h)) {
                clean = clean.with(h, null);
            }
        }
        ClusterRequest r = clean;
        return tokens.token()
                .thenCompose(token -> send(r, token).thenCompose(resp -> {
                    if (resp.status() != 401) {
                        return CompletableFuture.completedFuture(resp);
                    }
                    // The cluster forgot or expired our token: one fresh login, one retry.
                    tokens.invalidate(token);
                    return tokens.token().thenCompose(fresh -> send(r, fresh));
                }))
                .exceptionally(err -> {
                    Throwable t = ClusterClient.cause(err);
                    if (t instanceof AuthFailedException) {
                        log.error("site {}: service login failed; peer requests cannot be applied here: {}",
                                site, t.getMessage());
                        return ClusterResponse.text(503, "autosync: site " + site
                                + " cannot log in to its own cluster with its service credentials")
                                .with(PeerClient.ERROR_HEADER, PeerClient.AUTH_FAILED);
                    }
                    return ClusterResponse.text(502, "autosync: site " + site + " failed: "
                            + t.getClass().getSimpleName());
                });
    }

    private CompletableFuture<ClusterResponse> send(ClusterRequest r, String token) {
        return LocalCall.send(http, localCluster, r.with("X-Auth-Token", token), timeout);
    }
}
