package org.autosync.proxy.route;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What a request path names, decided exactly as Swift's proxy decides it: percent-decode the
 * path (never '+' to space), split it like {@code split_path(path, 1, 4, True)}, then pick
 * object if account, container and object are non-empty, container if account and container
 * are, account if only the account is. So {@code /v1/a/c%2Fo} is an object and
 * {@code /v1/a//o} an account, as Swift sees them. Dot segments are names like any other:
 * {@code /v1/a/..} is the container "..". Invalid UTF-8 and NUL make a path Swift refuses (412).
 */
public record SwiftPath(Kind kind, String account, String container, String object) {
    public enum Kind { ACCOUNT, CONTAINER, OBJECT, OTHER }

    private static final SwiftPath OTHER = new SwiftPath(Kind.OTHER, null, null, null);

    public static SwiftPath parse(String uri) {
        uri = originForm(uri);
        int q = uri.indexOf('?');
        String raw = q < 0 ? uri : uri.substring(0, q);
        String path = percentDecode(raw);
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            return OTHER; // Swift answers such paths itself (400/412); nothing of ours to do
        }
        String[] segs = path.split("/", 5);
        if (segs.length < 3 || segs[1].isEmpty() || !(segs[1].equals("v1") || segs[1].equals("v1.0"))) {
            return OTHER;
        }
        String account = segs[2];
        String container = segs.length > 3 ? segs[3] : "";
        String object = segs.length > 4 ? segs[4] : "";
        if (account.isEmpty()) {
            return OTHER;
        }
        if (!container.isEmpty() && !object.isEmpty()) {
            return new SwiftPath(Kind.OBJECT, account, container, object);
        }
        if (!container.isEmpty()) {
            return new SwiftPath(Kind.CONTAINER, account, container, null);
        }
        return new SwiftPath(Kind.ACCOUNT, account, null, null);
    }

    /**
     * True when the query asks Swift's bulk middleware for {@code extract-archive} or
     * {@code bulk-delete}: on an account or container path these create or delete objects (and
     * containers), so they are neither a plain container operation nor something a peer may ask.
     */
    public static boolean isBulk(String uri) {
        return hasParam(uri, "bulk-delete", false) || hasParam(uri, "extract-archive", true);
    }

    /**
     * True for Swift's archive upload: {@code ?extract-archive=FORMAT} on a PUT (Swift's bulk
     * middleware ignores the parameter on any other method, and answers an empty one itself).
     */
    public static boolean isExtractArchive(String method, String uri) {
        return method.equals("PUT") && hasParam(uri, "extract-archive", true);
    }

    /** True for Swift's bulk delete: {@code ?bulk-delete} on a POST or DELETE, paths in the body. */
    public static boolean isBulkDelete(String method, String uri) {
        return (method.equals("POST") || method.equals("DELETE")) && hasParam(uri, "bulk-delete", false);
    }

    /**
     * Whether the query has {@code name} (with a value, if {@code valued}), read as Python's
     * {@code parse_qsl} reads it for webob: '&' separates, '+' is a space, no stripping.
     */
    private static boolean hasParam(String uri, String name, boolean valued) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return false;
        }
        for (String param : uri.substring(q + 1).split("&")) {
            int eq = param.indexOf('=');
            if (name.equals(percentDecode((eq < 0 ? param : param.substring(0, eq)).replace('+', ' ')))
                    && (!valued || eq >= 0 && eq < param.length() - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Swift's server strips {@code http(s)://host} from an absolute-form request target; so do we. */
    public static String originForm(String uri) {
        int schemeEnd = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
                : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (schemeEnd < 0) {
            return uri;
        }
        int slash = uri.indexOf('/', schemeEnd);
        return slash < 0 ? "/" : uri.substring(slash);
    }

    /**
     * Python's {@code unquote} as Swift's middlewares apply it to names in a body: every valid
     * {@code %XX} decoded, an invalid one kept as it is, {@code +} kept, and the bytes read as
     * UTF-8 (an invalid sequence becomes U+FFFD, as Python's default {@code errors='replace'}).
     */
    public static String unquote(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] in = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length && in[i] == '%' ? Character.digit(in[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(in[i + 2], 16);
            if (lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Percent-decoding of a path as WSGI does it; null for a bad escape or invalid UTF-8. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0 && s.chars().allMatch(c -> c < 0x80)) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c <= 0xff) {
                out.write(c); // Netty hands the request line over byte for byte (ISO-8859-1)
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A name as it goes into a path or an {@code X-Container-Sync-To} value. */
    public static String quote(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 8);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
