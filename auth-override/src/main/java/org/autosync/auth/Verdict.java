package org.autosync.auth;

import java.util.List;
import java.util.Objects;

/**
 * Result of checking a request for peer headers.
 *
 * @param kind   what was found
 * @param site   the verified origin site for {@link Kind#VERIFIED}, otherwise null
 * @param reason for {@link Kind#REJECTED}, a short reason safe to send back to the caller
 *               (never a secret or the expected signature); otherwise null
 * @param signedHeaders for {@link Kind#VERIFIED}, the lower-case names of the headers the signature
 *               covers: the only ones the request may carry into effect; otherwise empty
 */
public record Verdict(Kind kind, String site, String reason, List<String> signedHeaders) {

    public enum Kind {
        /** no peer header at all: an ordinary client request */
        NOT_PEER,
        /** signed by a known site with a valid secret, fresh and not replayed */
        VERIFIED,
        /** carries peer headers that do not verify: refuse the request */
        REJECTED
    }

    private static final Verdict NOT_PEER = new Verdict(Kind.NOT_PEER, null, null, List.of());

    public Verdict {
        Objects.requireNonNull(kind, "kind");
        signedHeaders = List.copyOf(Objects.requireNonNull(signedHeaders, "signedHeaders"));
        if (kind == Kind.VERIFIED) {
            Objects.requireNonNull(site, "site");
        }
        if (kind == Kind.REJECTED) {
            Objects.requireNonNull(reason, "reason");
        }
    }

    public static Verdict notPeer() {
        return NOT_PEER;
    }

    public static Verdict verified(String site) {
        return verified(site, List.of());
    }

    public static Verdict verified(String site, List<String> signedHeaders) {
        return new Verdict(Kind.VERIFIED, site, null, signedHeaders);
    }

    public static Verdict rejected(String reason) {
        return new Verdict(Kind.REJECTED, null, reason, List.of());
    }

    public boolean isVerified() {
        return kind == Kind.VERIFIED;
    }

    public boolean isRejected() {
        return kind == Kind.REJECTED;
    }
}
