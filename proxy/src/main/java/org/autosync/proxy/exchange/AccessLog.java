package org.autosync.proxy.exchange;

import io.netty.channel.Channel;
import org.autosync.proxy.internal.ClientAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the logger {@code autosync.access}. Headers are never logged (tokens
 * and keys travel there) and signature-like query values are masked.
 */
public final class AccessLog {
    private static final Logger log = LoggerFactory.getLogger("autosync.access");

    private AccessLog() {
    }

    public static boolean enabled() {
        return log.isInfoEnabled();
    }

    public static void line(Channel client, String method, String uri, int status,
                            long bytesIn, long bytesOut, long startNanos, int upstreamStatus) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long micros = (System.nanoTime() - startNanos) / 1000;
        // built here in one pass: no argument array, no boxing, no placeholder parsing per line
        StringBuilder sb = LINE.get();
        sb.setLength(0);
        String ip = ClientAddress.ip(client);
        sb.append(ip != null ? ip : String.valueOf(client.remoteAddress()))
                .append(" \"").append(method).append(' ').append(safeUri(uri)).append("\" ").append(status)
                .append(" in=").append(bytesIn).append(" out=").append(bytesOut).append(' ')
                .append(micros / 1000).append('.');
        threeDigits(sb, micros % 1000).append("ms upstream=");
        if (upstreamStatus > 0) {
            sb.append(upstreamStatus);
        } else {
            sb.append('-');
        }
        log.info(sb.toString());
    }

    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(160));

    private static StringBuilder threeDigits(StringBuilder sb, long n) {
        if (n < 100) {
            sb.append('0');
        }
        if (n < 10) {
            sb.append('0');
        }
        return sb.append(n);
    }

    /** Masks query values that authorize a request (temp_url_sig, tokens, signatures, keys). */
    public static String safeUri(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        StringBuilder sb = new StringBuilder(uri.length()).append(uri, 0, q + 1);
        String[] params = uri.substring(q + 1).split("&", -1);
        for (int i = 0; i < params.length; i++) {
            if (i > 0) {
                sb.append('&');
            }
            String p = params[i];
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).toLowerCase(java.util.Locale.ROOT);
            if (eq >= 0 && (name.contains("sig") || name.contains("token") || name.contains("key"))) {
                sb.append(p, 0, eq + 1).append("***");
            } else {
                sb.append(p);
            }
        }
        return sb.toString();
    }
}
