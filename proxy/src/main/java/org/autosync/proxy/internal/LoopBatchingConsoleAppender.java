package org.autosync.proxy.internal;

import ch.qos.logback.core.OutputStreamAppender;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A console appender for the access log that writes once per event-loop turn instead of once per
 * line. A line logged on an event loop goes into a buffer, and the first such line asks the loop
 * to flush once the I/O it is handling is done: a busy loop answering dozens of requests per
 * turn makes one write system call for all of their lines, and an idle one still writes each
 * line within microseconds. Lines logged on other threads are written at once. A write never
 * exceeds {@value #BUFFER} bytes (PIPE_BUF), so the lines of the other appenders writing to the
 * same pipe are never cut into it.
 */
public final class LoopBatchingConsoleAppender<E> extends OutputStreamAppender<E> {
    static final int BUFFER = 4096;

    private final AtomicBoolean flushPending = new AtomicBoolean();
    private final Runnable flushTask = this::flushNow;
    private OutputStream target;

    /** Where the lines go instead of stdout; for tests. */
    void setTarget(OutputStream target) {
        this.target = target;
    }

    @Override
    public void start() {
        setImmediateFlush(false);
        OutputStream out = target != null ? target : new FileOutputStream(FileDescriptor.out);
        setOutputStream(new BufferedOutputStream(new KeepOpen(out), BUFFER));
        super.start();
    }

    @Override
    protected void subAppend(E event) {
        if (!isStarted()) {
            return;
        }
        try {
            // encoded here, on the logging thread: nothing to prepare for deferred processing
            writeOut(event);
        } catch (IOException e) {
            started = false;
            addError("cannot write the access log", e);
            return;
        }
        if (flushPending.get() || !flushPending.compareAndSet(false, true)) {
            return; // a flush is coming and will take this line too
        }
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            flushNow();
            return;
        }
        try {
            loop.execute(flushTask);
        } catch (RejectedExecutionException shuttingDown) {
            flushNow();
        }
    }

    private void flushNow() {
        // cleared before the flush: a line written after this point schedules its own
        flushPending.set(false);
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null) {
                out.flush();
            }
        } catch (IOException e) {
            addError("cannot flush the access log", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** Stdout must outlive this appender: stopping it flushes, never closes the descriptor. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
