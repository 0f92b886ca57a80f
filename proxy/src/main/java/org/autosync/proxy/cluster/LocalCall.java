package org.autosync.proxy.cluster;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A buffered call to this site's own cluster, with the cluster's failures turned into answers. */
public final class LocalCall {
    private LocalCall() {
    }

    public static CompletableFuture<ClusterResponse> send(ClusterClient http, URI cluster, ClusterRequest req,
                                                   Duration timeout) {
        return http.send(cluster, req, timeout).exceptionally(err -> {
            Throwable t = ClusterClient.cause(err);
            if (t instanceof ClusterClient.TimeoutException) {
                return ClusterResponse.text(504, "autosync: the local Swift cluster did not answer within "
                        + timeout.toSeconds() + " s");
            }
            if (t instanceof ConnectException) {
                return ClusterResponse.text(502, "autosync: cannot reach the local Swift cluster at "
                        + cluster.getHost() + ":" + cluster.getPort());
            }
            if (t instanceof IllegalArgumentException) {
                return ClusterResponse.text(400, "autosync: the request path is not a valid URL path");
            }
            return ClusterResponse.text(502, "autosync: the local Swift cluster failed: " + t.getClass().getSimpleName());
        });
    }
}
