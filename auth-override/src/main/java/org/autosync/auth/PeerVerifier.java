package org.autosync.auth;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the peer headers of an incoming request (format on {@link PeerSigner}).
 *
 * <p>Checks run cheapest first; the nonce is recorded only once the signature verified, so that
 * requests without the secret cannot fill the {@link NonceCache}. Only the five names in
 * {@link PeerHeaders#ALL} are probed: the caller strips any other {@code x-autosync-peer-*} header.
 *
 * <p>Thread-safe.
 */
public final class PeerVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(PeerVerifier.class);

    public static final Duration DEFAULT_SKEW = NonceCache.DEFAULT_SKEW;

    // unix seconds; 12 digits is far beyond any real clock and cannot overflow the arithmetic below
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int MAX_ECHO = 64;

    private final String self;
    private final Set<String> knownSites;
    private final List<SecretKeySpec> keys;
    private final Duration skew;
    private final Clock clock;
    private final NonceCache nonces;

    /**
     * @param self    this site: only requests signed for it verify
     * @param secrets current secret first, then previous ones still accepted during a rotation
     * @param skew    largest accepted distance between the request timestamp and now, either way
     * @throws IllegalArgumentException if the nonce cache forgets nonces before {@code 2 * skew + 1 s}
     */
    public PeerVerifier(String self, Set<String> knownSites, List<byte[]> secrets, Duration skew, Clock clock,
                        NonceCache nonces) {
        this.self = Objects.requireNonNull(self, "self");
        if (!Canonical.SITE.matcher(self).matches()) {
            throw new IllegalArgumentException("self: not a site name: '" + self + "'");
        }
        this.knownSites = Set.copyOf(Objects.requireNonNull(knownSites, "knownSites"));
        Objects.requireNonNull(secrets, "secrets");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("secrets: empty");
        }
        List<SecretKeySpec> k = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            k.add(Canonical.key(secrets.get(i), "secrets[" + i + "]"));
        }
        this.keys = List.copyOf(k);
        this.skew = Objects.requireNonNull(skew, "skew");
        if (skew.isNegative() || skew.isZero()) {
            throw new IllegalArgumentException("skew: must be positive");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        if (nonces.retention().compareTo(skew.multipliedBy(2).plusSeconds(1)) < 0) {
            throw new IllegalArgumentException("nonce cache retention " + nonces.retention()
                    + " is shorter than 2 * skew + 1 s; replays would be accepted");
        }
    }

    /** Default skew (60 s), system UTC clock and a default nonce cache. */
    public PeerVerifier(String self, Set<String> knownSites, List<byte[]> secrets) {
        this(self, knownSites, secrets, DEFAULT_SKEW, Clock.systemUTC(), new NonceCache(DEFAULT_SKEW));
    }

    /**
     * @param header case-insensitive lookup of a request header, null when absent
     */
    public Verdict verify(String method, String pathWithQuery, Function<String, String> header) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathWithQuery, "pathWithQuery");
        Objects.requireNonNull(header, "header");

        boolean any = false;
        String missing = null;
        for (String name : PeerHeaders.ALL) {
            if (header.apply(name) != null) {
                any = true;
            } else if (missing == null) {
                missing = name;
            }
        }
        if (!any) {
            return Verdict.notPeer();
        }
        if (missing != null) {
            return reject("missing " + missing);
        }
        String site = header.apply(PeerHeaders.SITE).strip();
        String timestamp = header.apply(PeerHeaders.TIMESTAMP).strip();
        String nonce = header.apply(PeerHeaders.NONCE).strip();
        String signedHeaders = header.apply(PeerHeaders.SIGNED_HEADERS);
        String signature = header.apply(PeerHeaders.SIGNATURE).strip();

        if (!knownSites.contains(site)) {
            return reject("unknown peer site '" + echo(site) + "'");
        }
        if (!TIMESTAMP.matcher(timestamp).matches()) {
            return reject("malformed timestamp");
        }
        long age = clock.instant().getEpochSecond() - Long.parseLong(timestamp);
        if (Math.abs(age) > skew.getSeconds()) {
            return reject("stale timestamp");
        }
        if (!Canonical.NONCE.matcher(nonce).matches()) {
            return reject("malformed nonce");
        }
        if (!SIGNATURE.matcher(signature).matches()) {
            return reject("bad signature");
        }
        String canonical;
        List<String> names;
        try {
            names = Canonical.parseNames(signedHeaders);
            canonical = Canonical.build(method, pathWithQuery, timestamp, nonce, site, self, names, header);
        } catch (IllegalArgumentException e) {
            return reject("malformed " + PeerHeaders.SIGNED_HEADERS + " or signed value");
        }
        byte[] given = HexFormat.of().parseHex(signature);
        if (!matchesAnyKey(canonical, given)) {
            return reject("bad signature");
        }
        if (!nonces.firstSeen(site, nonce)) {
            return reject("replayed nonce");
        }
        return Verdict.verified(site, names);
    }

    private boolean matchesAnyKey(String canonical, byte[] given) {
        boolean match = false;
        // try every key, so timing does not tell which secret matched
        for (SecretKeySpec key : keys) {
            match |= MessageDigest.isEqual(Canonical.hmac(key, canonical), given);
        }
        return match;
    }

    private static Verdict reject(String reason) {
        LOG.debug("rejected peer request: {}", reason);
        return Verdict.rejected(reason);
    }

    // the claimed site goes back to the caller and into logs: printable ASCII only, bounded
    private static String echo(String untrusted) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < untrusted.length() && sb.length() < MAX_ECHO; i++) {
            char c = untrusted.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PeerVerifier[knownSites=" + knownSites + ", secrets=" + keys.size() + " (***), skew=" + skew + "]";
    }
}
