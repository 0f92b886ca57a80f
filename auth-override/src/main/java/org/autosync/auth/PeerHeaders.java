package org.autosync.auth;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Names of the headers one Autosync proxy adds when it sends a request to another site's proxy.
 *
 * <p>A receiving proxy must strip every header for which {@link #isPeerHeader} is true from
 * requests it forwards or that failed verification, so that a client can neither forge nor smuggle them.
 */
public final class PeerHeaders {

    /** Lower-case prefix shared by all peer headers. */
    public static final String PREFIX = "x-autosync-peer-";

    /** Name of the sending site. */
    public static final String SITE = "X-Autosync-Peer-Site";
    /** Unix time in seconds when the request was signed. */
    public static final String TIMESTAMP = "X-Autosync-Peer-Timestamp";
    /** Random, single-use value (128 bits, url-safe base64 without padding). */
    public static final String NONCE = "X-Autosync-Peer-Nonce";
    /** Comma-separated, lower-case names of the ordinary headers covered by the signature, in signing order. */
    public static final String SIGNED_HEADERS = "X-Autosync-Peer-Signed-Headers";
    /** Lower-case hex HMAC-SHA256 of the canonical string (see {@link PeerSigner}). */
    public static final String SIGNATURE = "X-Autosync-Peer-Signature";

    /** All five, in the order they are checked and added. */
    public static final List<String> ALL = List.of(SITE, TIMESTAMP, NONCE, SIGNED_HEADERS, SIGNATURE);

    private PeerHeaders() {
    }

    /** True for any header whose name starts with {@code x-autosync-peer-}, ignoring case. */
    public static boolean isPeerHeader(String name) {
        Objects.requireNonNull(name, "name");
        return name.length() >= PREFIX.length() && name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
