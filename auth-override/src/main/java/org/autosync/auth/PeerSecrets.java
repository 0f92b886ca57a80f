package org.autosync.auth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The secrets peers sign with. Requests are signed with {@code current}; both {@code current} and
 * {@code previous} verify. That lets a new secret be rolled out one site at a time with no refused
 * request: every site first accepts it (as {@code previous}), then every site signs with it (as
 * {@code current}, the old one now {@code previous}), then the old one is dropped.
 */
public final class PeerSecrets {
    /** Shorter secrets are refused at start-up. */
    public static final int MIN_LENGTH = 16;

    private final byte[] current;
    private final byte[] previous; // null: none

    public PeerSecrets(byte[] current, byte[] previous) {
        this.current = Objects.requireNonNull(current, "current").clone();
        this.previous = previous == null ? null : previous.clone();
        if (current.length < MIN_LENGTH || previous != null && previous.length < MIN_LENGTH) {
            throw new IllegalArgumentException("a peer secret must be at least " + MIN_LENGTH + " bytes");
        }
    }

    public byte[] current() {
        return current.clone();
    }

    public boolean hasPrevious() {
        return previous != null;
    }

    /** Every secret a received request may be signed with: current first. */
    public List<byte[]> forVerifying() {
        List<byte[]> all = new ArrayList<>(2);
        all.add(current.clone());
        if (previous != null && !Arrays.equals(previous, current)) {
            all.add(previous.clone());
        }
        return all;
    }

    @Override
    public String toString() {
        return "PeerSecrets[current=***" + (previous != null ? ", previous=***" : "") + "]";
    }
}
