package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import org.autosync.placement.Site;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;

/**
 * One call to any site's cluster as Autosync's own work: this site's cluster directly as the
 * service user, another site's through its proxy, signed. A peer that could not be reached
 * answers 503 with what went wrong (connect-refused, timeout ...).
 */
public final class SiteCalls {
    private final String here;
    private final LocalService local;
    private final PeerClient peers;

    public SiteCalls(String here, LocalService local, PeerClient peers) {
        this.here = requireNonNull(here, "here");
        this.local = requireNonNull(local, "local");
        this.peers = requireNonNull(peers, "peers");
    }

    public CompletableFuture<ClusterResponse> send(Site s, ClusterRequest req) {
        if (s.name().equals(here)) {
            return local.send(req);
        }
        return peers.send(s, req).thenApply(res -> res.response() != null ? res.response()
                : ClusterResponse.text(503, res.outcome().label()));
    }
}
