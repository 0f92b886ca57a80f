package org.autosync.proxy.internal;

/**
 * Netty's decoder reads a request line byte for byte (one char per byte) while its encoder
 * writes the URI as UTF-8, so a raw non-ASCII byte would reach the cluster encoded twice.
 * Forwarding such bytes as {@code %XX} keeps the name Swift sees: it percent-decodes the path.
 */
public final class RequestUris {
    private RequestUris() {
    }

    public static String escapeNonAscii(String uri) {
        int i = 0;
        while (i < uri.length() && uri.charAt(i) < 0x80) {
            i++;
        }
        if (i == uri.length()) {
            return uri; // the common case: nothing to do, nothing allocated
        }
        StringBuilder sb = new StringBuilder(uri.length() + 16).append(uri, 0, i);
        for (; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c < 0x80) {
                sb.append(c);
            } else if (c <= 0xff) {
                appendEscaped(sb, c);
            } else {
                for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    appendEscaped(sb, b & 0xff);
                }
            }
        }
        return sb.toString();
    }

    private static void appendEscaped(StringBuilder sb, int b) {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 15, 16)));
    }
}
