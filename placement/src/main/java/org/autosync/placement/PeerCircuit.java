package org.autosync.placement;

/**
 * Whether a peer site is taken to be up, from its recent calls and health checks: a circuit that
 * opens after {@code openAfter} failures in a row and closes at the first success. Immutable; a
 * pure transition, so the fan-out's fail-fast rule is tested without sockets.
 *
 * @param state    {@link State#UP} (calls go out) or {@link State#DOWN} (calls are not tried)
 * @param failures failures in a row so far
 */
public record PeerCircuit(State state, int failures) {
    public enum State { UP, DOWN }

    public static final PeerCircuit INITIAL = new PeerCircuit(State.UP, 0);

    public PeerCircuit {
        java.util.Objects.requireNonNull(state, "state");
        if (failures < 0) {
            throw new IllegalArgumentException("failures: negative");
        }
    }

    /** After one call or health check that succeeded or failed. */
    public PeerCircuit after(boolean success, int openAfter) {
        if (openAfter < 1) {
            throw new IllegalArgumentException("openAfter: must be at least 1");
        }
        if (success) {
            return INITIAL;
        }
        int n = failures == Integer.MAX_VALUE ? failures : failures + 1;
        return new PeerCircuit(n >= openAfter ? State.DOWN : state, n);
    }

    public boolean isDown() {
        return state == State.DOWN;
    }
}
