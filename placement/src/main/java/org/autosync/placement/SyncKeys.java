package org.autosync.placement;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives each container's {@code X-Container-Sync-Key} from one shared secret:
 * lowercase hex of HMAC-SHA256(secret, account + "/" + container).
 *
 * <p>Derivation instead of storage means every proxy computes the same key for a container with
 * no coordination, and a leaked key exposes only that one container. Callers must pass the same
 * form of the names everywhere (pick one canonical form, e.g. as in the request path) or the keys
 * of a sync pair will not match.
 *
 * <p>Thread-safe: a fresh {@link Mac} is made per call, {@link Mac} itself is not thread-safe.
 */
public final class SyncKeys {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public SyncKeys(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length == 0) {
            throw new IllegalArgumentException("secret: empty");
        }
        this.key = new SecretKeySpec(secret, ALGORITHM); // copies the bytes
        newMac(); // fail at startup, not on the first request, if HMAC-SHA256 is unavailable
    }

    /** @param secret used as its UTF-8 bytes */
    public SyncKeys(String secret) {
        this(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
    }

    public String keyFor(String account, String container) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(container, "container");
        byte[] mac = newMac().doFinal((account + "/" + container).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "SyncKeys[secret=***]";
    }
}
