package org.autosync.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which headers belong to one hop only (RFC 9110 section 7.6.1). The proxy re-frames bodies itself,
 * so Transfer-Encoding is handled by the caller, not here.
 */
public final class HeaderRules {
    // AsciiString names keep their hash: a String name is hashed again on every lookup
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    public static final AsciiString HTTP = AsciiString.cached("http");
    public static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("Proxy-Connection");

    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION,
        HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
    };

    private HeaderRules() {
    }

    /** Removes the hop-by-hop headers and every header that {@code Connection} names. */
    public static void stripHopByHop(HttpHeaders headers) {
        // One pass to find out whether there is anything to do: most messages carry at most a
        // Connection header, and a lookup per hop-by-hop name would hash each of them.
        List<String> connection = null;
        boolean found = false;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (!isHopByHop(name)) {
                continue;
            }
            found = true;
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
                    && !namesNoOtherHeader(e.getValue())) {
                if (connection == null) {
                    connection = new ArrayList<>(2);
                }
                connection.add(e.getValue().toString());
            }
        }
        if (!found) {
            return;
        }
        if (connection != null) {
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
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** The usual Connection values name no header that is not removed anyway. */
    private static boolean namesNoOtherHeader(CharSequence value) {
        return AsciiString.contentEqualsIgnoreCase(value, HttpHeaderValues.KEEP_ALIVE)
                || AsciiString.contentEqualsIgnoreCase(value, HttpHeaderValues.CLOSE);
    }

    /** A hop-by-hop name (RFC 9110 section 7.6.1), whatever its case. */
    public static boolean isHopByHop(CharSequence name) {
        int n = name.length();
        // the lengths of the names in HOP_BY_HOP: 2, 7, 10, 16, 18, 19
        if (n != 2 && n != 7 && n != 10 && n != 16 && n != 18 && n != 19) {
            return false;
        }
        for (AsciiString h : HOP_BY_HOP) {
            if (h.length() == n && AsciiString.contentEqualsIgnoreCase(name, h)) {
                return true;
            }
        }
        return false;
    }

    /** Every earlier hop of {@code X-Forwarded-For}, over all its fields, then {@code ip}. */
    public static String appendForwardedFor(HttpHeaders headers, String ip) {
        if (!headers.contains(X_FORWARDED_FOR)) {
            return ip;
        }
        return String.join(", ", headers.getAll(X_FORWARDED_FOR)) + ", " + ip;
    }
}
