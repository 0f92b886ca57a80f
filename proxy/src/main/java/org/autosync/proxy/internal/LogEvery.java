package org.autosync.proxy.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per {@code period} for one kind of event that a client can cause at will
 * (a port scanner on the TLS port, a flood of bad handshakes): the first one is logged, those
 * within the period are counted and the next line says how many were left out.
 */
public final class LogEvery {
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong skipped = new AtomicLong();

    public LogEvery(java.time.Duration period) {
        this(period, System::nanoTime);
    }

    LogEvery(java.time.Duration period, LongSupplier nanoTime) {
        this.periodNanos = period.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Whether to log this event: -1 when not (it is counted), else how many were left out
     * since the last line.
     */
    public long admit() {
        long now = nanoTime.getAsLong();
        long next = nextAt.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && nextAt.compareAndSet(next, now + periodNanos)) {
            return skipped.getAndSet(0);
        }
        skipped.incrementAndGet();
        return -1;
    }
}
