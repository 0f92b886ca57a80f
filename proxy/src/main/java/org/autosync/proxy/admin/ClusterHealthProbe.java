package org.autosync.proxy.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Asks the local cluster's own {@code /healthcheck}. Admin traffic only, never the data path. */
public final class ClusterHealthProbe {
    private final HttpClient http;
    private final URI url;
    private final Duration timeout;

    public ClusterHealthProbe(URI localCluster, Duration timeout) {
        this.url = localCluster.resolve("/healthcheck");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Completes with null when healthy, else with what is wrong. */
    public CompletableFuture<String> check() {
        HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                .handle((resp, err) -> {
                    if (err != null) {
                        return url + " unreachable (" + err.getClass().getSimpleName() + ")";
                    }
                    return resp.statusCode() == 200 ? null : url + " answered " + resp.statusCode();
                });
    }
}
