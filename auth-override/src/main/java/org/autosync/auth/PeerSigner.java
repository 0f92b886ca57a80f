package org.autosync.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs requests this proxy sends to another site's proxy.
 *
 * <p>Canonical string: these lines joined with {@code "\n"} (no trailing line break), UTF-8 encoded,
 * then HMAC-SHA256 with the shared peer secret, sent as lower-case hex in {@link PeerHeaders#SIGNATURE}:
 * <pre>
 * METHOD                    upper-cased, e.g. PUT
 * path?query                exactly as sent on the request line, percent-encoding untouched
 * timestamp                 value of X-Autosync-Peer-Timestamp (unix seconds)
 * nonce                     value of X-Autosync-Peer-Nonce
 * origin site               value of X-Autosync-Peer-Site
 * target site               the site the request is sent to (not sent: the receiver uses its own name)
 * name:value                one line per name in X-Autosync-Peer-Signed-Headers, in that order:
 * ...                       lower-case name, ':', the header value with surrounding whitespace trimmed
 *                           (a listed header that is absent is signed with an empty value)
 * </pre>
 * Header names are matched case-insensitively. Changing the list of signed headers changes the
 * lines, so the list itself is covered too. No part may contain CR or LF.
 *
 * <p>Thread-safe.
 */
public final class PeerSigner {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String originSite;
    private final SecretKeySpec key;
    private final Clock clock;
    private final Supplier<String> nonces;

    public PeerSigner(String originSite, byte[] secret, Clock clock, Supplier<String> nonces) {
        Objects.requireNonNull(originSite, "originSite");
        if (!Canonical.SITE.matcher(originSite).matches()) {
            throw new IllegalArgumentException("originSite: not a site name: '" + originSite + "'");
        }
        this.originSite = originSite;
        this.key = Canonical.key(Objects.requireNonNull(secret, "secret"), "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
    }

    /** With 128-bit random nonces from {@link SecureRandom}. */
    public PeerSigner(String originSite, byte[] secret, Clock clock) {
        this(originSite, secret, clock, PeerSigner::randomNonce);
    }

    /** 128 random bits, url-safe base64 without padding (22 characters). */
    public static String randomNonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * @param targetSite     the site the request is for: the signature is good there only, so a
     *                       request captured on its way to one site cannot be replayed at another
     * @param headersToCover headers of the outgoing request to cover, in signing order (a null value
     *                       is signed as empty); must not include peer headers
     * @return the five peer headers to add to the request, in {@link PeerHeaders#ALL} order
     */
    public Map<String, String> sign(String targetSite, String method, String pathWithQuery,
                                    Map<String, String> headersToCover) {
        Objects.requireNonNull(targetSite, "targetSite");
        if (!Canonical.SITE.matcher(targetSite).matches()) {
            throw new IllegalArgumentException("targetSite: not a site name: '" + targetSite + "'");
        }
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathWithQuery, "pathWithQuery");
        Objects.requireNonNull(headersToCover, "headersToCover");
        if (method.isEmpty() || pathWithQuery.isEmpty()) {
            throw new IllegalArgumentException("method and path must not be empty");
        }
        List<String> names = new ArrayList<>();
        Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> e : headersToCover.entrySet()) {
            String name = PeerHeaders.lower(Objects.requireNonNull(e.getKey(), "header name"));
            if (!Canonical.isHeaderName(name)) {
                throw new IllegalArgumentException("not a header name: '" + e.getKey() + "'");
            }
            if (PeerHeaders.isPeerHeader(name)) {
                throw new IllegalArgumentException("cannot cover peer header " + e.getKey());
            }
            if (values.containsKey(name)) {
                throw new IllegalArgumentException("header listed twice: " + name);
            }
            names.add(name);
            values.put(name, e.getValue());
        }
        String nonce = nonces.get();
        if (nonce == null || !Canonical.NONCE.matcher(nonce).matches()) {
            throw new IllegalStateException("nonce supplier returned a malformed nonce");
        }
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        String canonical = Canonical.build(method, pathWithQuery, timestamp, nonce, originSite, targetSite, names,
                values::get);

        Map<String, String> out = new LinkedHashMap<>();
        out.put(PeerHeaders.SITE, originSite);
        out.put(PeerHeaders.TIMESTAMP, timestamp);
        out.put(PeerHeaders.NONCE, nonce);
        out.put(PeerHeaders.SIGNED_HEADERS, String.join(",", names));
        out.put(PeerHeaders.SIGNATURE, HexFormat.of().formatHex(Canonical.hmac(key, canonical)));
        return out;
    }

    public String originSite() {
        return originSite;
    }

    @Override
    public String toString() {
        return "PeerSigner[originSite=" + originSite + ", secret=***]";
    }
}
