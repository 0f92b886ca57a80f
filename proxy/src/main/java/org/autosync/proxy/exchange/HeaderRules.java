package org.autosync.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Which headers belong to one hop only (RFC 9110 section 7.6.1). The proxy re-frames bodies itself,
 * so Transfer-Encoding is handled by the caller, not here.
 */
public final class HeaderRules {
    private static final CharSequence[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, "Proxy-Connection",
        HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
    };

    private HeaderRules() {
    }

    /** Removes the hop-by-hop headers and every header that {@code Connection} names. */
    public static void stripHopByHop(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        if (!connection.isEmpty()) {
            List<String> named = new ArrayList<>(2);
            for (String value : connection) {
                for (String token : value.split(",")) {
                    String t = token.trim();
                    // Framing stays ours to decide; a Connection token may not remove it.
                    if (!t.isEmpty() && !t.equalsIgnoreCase("transfer-encoding")
                            && !t.equalsIgnoreCase("content-length")) {
                        named.add(t);
                    }
                }
            }
            for (String name : named) {
                headers.remove(name);
            }
        }
        for (CharSequence name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** Every earlier hop of {@code X-Forwarded-For}, over all its fields, then {@code ip}. */
    public static String appendForwardedFor(HttpHeaders headers, String ip) {
        List<String> prior = headers.getAll("X-Forwarded-For");
        return prior.isEmpty() ? ip : String.join(", ", prior) + ", " + ip;
    }
}
