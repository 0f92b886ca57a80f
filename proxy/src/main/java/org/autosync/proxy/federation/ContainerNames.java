package org.autosync.proxy.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.route.SwiftPath;

/** The names of an account's containers at one site, read page by page from Swift's JSON listing. */
public final class ContainerNames {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Small enough for the control path's answer limit. */
    static final int PAGE = 1000;

    private ContainerNames() {
    }

    /**
     * Every container of {@code account} at the site {@code send} reaches; an account the site
     * does not have lists as empty. Fails with {@link IllegalStateException} on any other answer.
     */
    public static CompletableFuture<List<String>> of(Function<ClusterRequest, CompletableFuture<ClusterResponse>> send,
                                                     String account) {
        return page(send, account, "", new ArrayList<>());
    }

    private static CompletableFuture<List<String>> page(
            Function<ClusterRequest, CompletableFuture<ClusterResponse>> send, String account, String marker,
            List<String> acc) {
        String q = "/v1/" + SwiftPath.quote(account) + "?format=json&limit=" + PAGE
                + (marker.isEmpty() ? "" : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8));
        return send.apply(new ClusterRequest("GET", q, Map.of(), new byte[0])).thenCompose(resp -> {
            if (resp.status() == 404) {
                return CompletableFuture.completedFuture(acc);
            }
            if (!resp.is2xx()) {
                throw new IllegalStateException(resp.status() + " " + resp.brief());
            }
            int n = 0;
            String last = null;
            try {
                for (JsonNode o : resp.body().length == 0 ? JSON.createArrayNode() : JSON.readTree(resp.body())) {
                    last = o.path("name").asText();
                    acc.add(last);
                    n++;
                }
            } catch (IOException e) {
                throw new IllegalStateException("listing is not JSON");
            }
            return n < PAGE ? CompletableFuture.completedFuture(acc) : page(send, account, last, acc);
        });
    }
}
