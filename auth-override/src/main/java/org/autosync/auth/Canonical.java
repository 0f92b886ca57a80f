package org.autosync.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The canonical string and HMAC shared by {@link PeerSigner} and {@link PeerVerifier}; format documented on PeerSigner. */
final class Canonical {

    static final String HMAC = "HmacSHA256";

    /** An HTTP token (RFC 9110), lower-case only since names are signed lower-cased. */
    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");
    static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    static final Pattern SITE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Canonical() {
    }

    /**
     * @throws IllegalArgumentException if a part contains CR or LF, which would let one canonical
     *                                  string stand for two different requests
     */
    static String build(String method, String pathWithQuery, String timestamp, String nonce, String site,
                        String target, List<String> signedHeaderNames, Function<String, String> header) {
        StringBuilder sb = new StringBuilder();
        sb.append(line(method.toUpperCase(Locale.ROOT))).append('\n')
                .append(line(pathWithQuery)).append('\n')
                .append(line(timestamp)).append('\n')
                .append(line(nonce)).append('\n')
                .append(line(site)).append('\n')
                .append(line(target));
        for (String name : signedHeaderNames) {
            String value = header.apply(name);
            sb.append('\n').append(name).append(':').append(value == null ? "" : line(value.strip()));
        }
        return sb.toString();
    }

    private static String line(String part) {
        if (part.indexOf('\n') >= 0 || part.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("line break in signed value");
        }
        return part;
    }

    /** Parses the SIGNED_HEADERS value; an empty value means no headers. */
    static List<String> parseNames(String value) {
        List<String> names = new ArrayList<>();
        if (value.isBlank()) {
            return names;
        }
        for (String part : value.split(",", -1)) {
            String name = PeerHeaders.lower(part.strip());
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad header name in " + PeerHeaders.SIGNED_HEADERS);
            }
            names.add(name);
        }
        return names;
    }

    static boolean isHeaderName(String lowerName) {
        return HEADER_NAME.matcher(lowerName).matches();
    }

    static SecretKeySpec key(byte[] secret, String what) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException(what + ": empty");
        }
        return new SecretKeySpec(secret, HMAC); // copies the bytes
    }

    static byte[] hmac(SecretKeySpec key, String canonical) {
        try {
            // a Mac per call: Mac is not thread-safe and these objects are shared by event loops
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " unavailable", e);
        }
    }
}
