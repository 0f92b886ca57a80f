package org.autosync.proxy.exchange;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies read whole (account and container operations, peer requests, bulk
 * deletes) that the proxy holds at once, across every connection. Each body has its own cap;
 * this one stops many of them together (a body is read before Swift has judged the client's
 * token) from filling the heap: a body that would pass it is refused, never queued, so bodies
 * half read cannot wait on each other.
 */
public final class BodyBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public BodyBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: must be at least 1 byte");
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit; false (and nothing taken) if not. */
    public boolean tryTake(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: must not be negative");
        }
        while (true) {
            long now = held.get();
            if (now + bytes > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back bytes taken before. */
    public void giveBack(long bytes) {
        held.addAndGet(-bytes);
    }

    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }
}
