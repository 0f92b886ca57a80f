package org.autosync.proxy.federation;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.PeerHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.cluster.LocalCall;

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
    private final LocalService service; // null: forward mode
    private final Duration timeout;
    private final String site;

    /** {@code service} null means forward mode. */
    public PeerApply(ClusterClient http, URI localCluster, LocalService service, Duration timeout, String site) {
        this.http = Objects.requireNonNull(http, "http");
        this.localCluster = Objects.requireNonNull(localCluster, "localCluster");
        this.service = service;
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
        if (service == null) {
            return LocalCall.send(http, localCluster, clean, timeout);
        }
        for (String h : TOKENS) {
            clean = clean.with(h, null);
        }
        return service.send(clean);
    }
}
