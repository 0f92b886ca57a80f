package org.autosync.proxy.intercept;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Buffered HTTP calls for the control path (container and account operations, peer calls, service
 * logins). Object data never goes through here: that is the Netty data path's job.
 */
public final class ClusterClient {
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of(
            "connection", "content-length", "date", "expect", "from", "host", "upgrade", "via", "warning",
            "keep-alive", "te", "trailer", "transfer-encoding", "proxy-connection");

    private final HttpClient http;

    public ClusterClient(Duration connectTimeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** True for headers this client cannot send as given (it sets them itself). */
    public static boolean isRestricted(String name) {
        return RESTRICTED.contains(name.toLowerCase(Locale.ROOT));
    }

    public CompletableFuture<ClusterResponse> send(URI base, ClusterRequest req, Duration timeout) {
        URI uri;
        try {
            uri = base.resolve(req.pathWithQuery());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .method(req.method(), req.body().length == 0 && !req.method().equals("PUT")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        for (Map.Entry<String, List<String>> e : req.headers().entrySet()) {
            if (isRestricted(e.getKey())) {
                continue;
            }
            for (String v : e.getValue()) {
                b.header(e.getKey(), v);
            }
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new ClusterResponse(r.statusCode(), r.headers().map(),
                        r.body() == null ? new byte[0] : r.body()));
    }
}
