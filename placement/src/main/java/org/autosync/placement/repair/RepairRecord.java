package org.autosync.placement.repair;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One client change that one site of the placement has not confirmed: the key (account, and
 * container or "" for the account itself), what the client did, which site missed it, which site
 * took the change, when (that site's clock, microseconds) and which replicated headers the client
 * set or removed (names only: a repair re-reads the current values, it never replays a request).
 */
public record RepairRecord(String account, String container, RepairOp op, String target, String origin,
                           long stampMicros, Set<String> headers, Map<String, String> snapshot) {

    /** A record without a snapshot (every op but a drain). */
    public RepairRecord(String account, String container, RepairOp op, String target, String origin,
                        long stampMicros, Set<String> headers) {
        this(account, container, op, target, origin, stampMicros, headers, Map.of());
    }

    public RepairRecord {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(origin, "origin");
        if (account.isEmpty()) {
            throw new IllegalArgumentException("account: empty");
        }
        if (op.isContainer() == container.isEmpty()) {
            throw new IllegalArgumentException("container: " + op + " needs " + (op.isContainer() ? "a" : "no")
                    + " container");
        }
        if (stampMicros < 0) {
            throw new IllegalArgumentException("stampMicros: negative");
        }
        headers = java.util.Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(headers, "headers")));
        // a drain's copy of the container's headers when it was deleted: what a copy deleted too
        // early is re-created with, so the sync of the others still lands there
        snapshot = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(snapshot, "snapshot")));
    }

    public boolean isContainer() {
        return op.isContainer();
    }

    /** {@code account/container}, or {@code account} for an account record. */
    public String key() {
        return container.isEmpty() ? account : account + "/" + container;
    }

    /** Eight hex digits of SHA-256 over the key: spreads keys over workers, groups a key's records. */
    public String keyHash() {
        return keyHash(account, container);
    }

    public static String keyHash(String account, String container) {
        return keyHash(account, container, 4);
    }

    /** The first {@code bytes} bytes of SHA-256 over {@code account/container}, in hex. */
    public static String keyHash(String account, String container, int bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((account + "/" + container).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    /**
     * The record's own name, unique per event: {@code <keyHash>/<target>/<stamp>-<origin>-<nonce>}.
     * A key's records list together and in time order; processing one deletes exactly that one, so
     * a newer record of the same key is never erased with it.
     */
    public String name(String nonce) {
        Objects.requireNonNull(nonce, "nonce");
        return keyHash() + "/" + target + "/" + String.format(java.util.Locale.ROOT, "%016d", stampMicros) + "-" + origin + "-" + nonce;
    }

    /** The key hash a record name starts with. */
    public static String keyHashOf(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    /** Whether {@code s} has the form of {@link #keyHash(String, String)}: 8 lower-case hex digits. */
    public static boolean isKeyHash(String s) {
        return s.length() == 8 && s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    /** Which of {@code workers} workers owns the key with this hash (0-based). */
    public static int workerOf(String keyHash, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers: must be at least 1");
        }
        return (int) (Long.parseLong(keyHash, 16) % workers);
    }
}
