package org.autosync.proxy.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counters that each thread increments in a slot of its own, summed only when read. Every request
 * counts on its event loop, and a shared adder makes the loops take turns at one cache line per
 * increment; with a slot each they never touch the same memory. Reads (a scrape) see each slot
 * with opaque ordering, so a sum is exact once the loops are quiet and never torn.
 */
final class ThreadCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Room on each side of a thread's slots, so no two threads' slots share a cache line. */
    private static final int PAD = 8;

    private final int size;
    private final CopyOnWriteArrayList<long[]> all = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<long[]> local = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            long[] slots = new long[PAD + size + PAD];
            all.add(slots);
            return slots;
        }
    };

    ThreadCounters(int size) {
        this.size = size;
    }

    void add(int counter, long n) {
        long[] slots = local.get();
        int i = PAD + counter;
        SLOT.setOpaque(slots, i, (long) SLOT.getOpaque(slots, i) + n);
    }

    long sum(int counter) {
        long total = 0;
        for (long[] slots : all) {
            total += (long) SLOT.getOpaque(slots, PAD + counter);
        }
        return total;
    }
}
