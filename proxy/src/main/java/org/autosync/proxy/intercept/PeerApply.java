package org.autosync.proxy.intercept;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.AuthFailedException;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.TokenCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified peer's request, applied at this site only. In override mode it runs as this site's
 * service identity: the peer's token means nothing here, so whatever token came along is dropped.
 * In forward mode (sites sharing one Keystone) the client's own token came along, and this site's
 * cluster judges it as it would judge the client.
 */
public final class PeerApply {
    private static final Logger log = LoggerFactory.getLogger(PeerApply.class);
    private static final List<String> NEVER_APPLIED = List.of("authorization", "cookie");
    private static final List<String> TOKENS = List.of("x-auth-token", "x-storage-token", "x-service-token");

    private final ClusterClient http;
    private final URI localCluster;
    private final TokenCache tokens; // null: forward mode
    private final Duration timeout;
    private final String site;

    /** {@code tokens} null means forward mode. */
    public PeerApply(ClusterClient http, URI localCluster, TokenCache tokens, Duration timeout, String site) {
        this.http = Objects.requireNonNull(http, "http");
        this.localCluster = Objects.requireNonNull(localCluster, "localCluster");
        this.tokens = tokens;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.site = Objects.requireNonNull(site, "site");
    }

    /**
     * Applies {@code req} with only the headers its signature covers. The router refuses requests
     * with meaningful unsigned headers; what is left here is what a load balancer adds
     * (X-Forwarded-For, Via ...), which Swift need not see either.
     */
    public CompletableFuture<ClusterResponse> apply(ClusterRequest req, Collection<String> signedHeaders) {
        Set<String> signed = new HashSet<>(signedHeaders);
        ClusterRequest clean = req;
        List<String> unsigned = new ArrayList<>();
        for (String h : req.headers().keySet()) {
            if (!signed.contains(h) && !PeerHeaders.isPeerHeader(h) && !ClusterClient.isRestricted(h)) {
                unsigned.add(h);
                clean = clean.with(h, null);
            }
        }
        if (!unsigned.isEmpty()) {
            log.debug("site {}: dropped headers the peer's signature does not cover: {}", site, unsigned);
        }
        return apply(clean);
    }

    private CompletableFuture<ClusterResponse> apply(ClusterRequest req) {
        ClusterRequest clean = req;
        for (String h : NEVER_APPLIED) {
            clean = clean.with(h, null);
        }
        for (String h : req.headers().keySet()) {
            if (PeerHeaders.isPeerHeader(h)) {
                clean = clean.with(h, null);
            }
        }
        if (tokens == null) {
            return LocalCall.send(http, localCluster, clean, timeout);
        }
        for (String h : TOKENS) {
            clean = clean.with(h, null);
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
                        // TokenCache has logged it, once
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
