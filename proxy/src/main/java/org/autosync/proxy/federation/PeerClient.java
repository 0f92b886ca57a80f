package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import java.net.ConnectException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.PeerSigner;
import org.autosync.placement.Site;
import org.autosync.placement.SiteOutcome;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;

/** Sends a signed request to another site's Autosync proxy and says how it went. */
public final class PeerClient {
    /** A peer sets this on its answer when its own service login failed. */
    public static final String ERROR_HEADER = "X-Autosync-Error";
    public static final String AUTH_FAILED = "auth-failed";

    /** What a peer call produced: the judged outcome and, when there was one, the answer. */
    public record Result(SiteOutcome outcome, ClusterResponse response) {
    }

    private final ClusterClient http;
    private final PeerSigner signer;
    private final Duration timeout;

    public PeerClient(ClusterClient http, PeerSigner signer, Duration timeout) {
        this.http = requireNonNull(http, "http");
        this.signer = requireNonNull(signer, "signer");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    /**
     * Signs every header of {@code req} (so none can be swapped in flight) and sends it. For a
     * DELETE, a 404 counts as done.
     */
    public CompletableFuture<Result> send(Site site, ClusterRequest req) {
        Map<String, String> covered = new LinkedHashMap<>();
        req.headers().forEach((k, v) -> {
            if (!ClusterClient.isRestricted(k)) {
                covered.put(k, String.join(",", v)); // exactly what travels, so all of it is signed
            }
        });
        ClusterRequest signed = req;
        for (Map.Entry<String, String> e : signer.sign(site.name(), req.method(), req.pathWithQuery(), covered).entrySet()) {
            signed = signed.with(e.getKey(), e.getValue());
        }
        Map<String, List<String>> flat = new LinkedHashMap<>();
        signed.headers().forEach((k, v) -> {
            if (!ClusterClient.isRestricted(k)) {
                flat.put(k, List.of(String.join(",", v)));
            }
        });
        ClusterRequest toSend = new ClusterRequest(signed.method(), signed.pathWithQuery(), flat, signed.body());
        long t0 = System.nanoTime();
        return http.send(site.url(), toSend, timeout).handle((resp, err) -> {
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            if (err != null) {
                return new Result(failure(site.name(), err, took), null);
            }
            if (AUTH_FAILED.equals(resp.header(ERROR_HEADER))) {
                return new Result(SiteOutcome.authFailed(site.name(), took), resp);
            }
            if (resp.status() == 404 && req.method().equals("DELETE")) {
                return new Result(SiteOutcome.alreadyGone(site.name(), took), resp);
            }
            return new Result(SiteOutcome.http(site.name(), resp.status(), took), resp);
        });
    }

    static SiteOutcome failure(String site, Throwable err, Duration took) {
        Throwable t = ClusterClient.cause(err);
        if (t instanceof ClusterClient.TimeoutException) {
            return SiteOutcome.timeout(site, took);
        }
        if (t instanceof ConnectException) {
            return SiteOutcome.connectRefused(site, took);
        }
        return SiteOutcome.error(site, t.getClass().getSimpleName(), took);
    }
}
