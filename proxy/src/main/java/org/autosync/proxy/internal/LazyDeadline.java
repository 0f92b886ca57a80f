package org.autosync.proxy.internal;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for something that is armed and disarmed once per request on a long-lived
 * connection. Scheduling and cancelling a task per request costs a priority-queue insert and
 * removal each time; here a disarm only clears a field, and the one scheduled task, when it runs
 * early, re-schedules itself for what is left. So a keep-alive connection pays about one task
 * per timeout period, whatever its request rate. Not thread-safe: one event loop only.
 */
public final class LazyDeadline implements Runnable {
    private final EventExecutor executor;
    private final Runnable onExpiry;
    private long deadlineNanos;
    private boolean armed;
    private ScheduledFuture<?> task;

    public LazyDeadline(EventExecutor executor, Runnable onExpiry) {
        this.executor = requireNonNull(executor, "executor");
        this.onExpiry = requireNonNull(onExpiry, "onExpiry");
    }

    /** {@code onExpiry} runs once {@code timeoutNanos} from now, unless disarmed before. */
    public void arm(long timeoutNanos) {
        deadlineNanos = System.nanoTime() + timeoutNanos;
        armed = true;
        if (task == null) {
            task = executor.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void disarm() {
        armed = false;
    }

    /** Disarms and drops the scheduled task, so that nothing keeps the owner alive: call on close. */
    public void cancel() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            task = executor.schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        onExpiry.run();
    }
}
