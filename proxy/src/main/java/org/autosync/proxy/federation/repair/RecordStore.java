package org.autosync.proxy.federation.repair;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the repair worker needs of the records: list, read and delete them. */
public interface RecordStore {
    /** Every record name, in listing order. */
    CompletableFuture<List<String>> names();

    /** The record under {@code name}; null when it is gone. */
    CompletableFuture<RepairJournal.Entry> read(String name);

    /** Deletes exactly that record; one already gone counts as deleted. */
    CompletableFuture<Void> remove(String name);

    /**
     * Records this process wrote since {@code nanos} ({@link System#nanoTime()}): pending, though
     * no listing begun before them shows them. Counted for a couple of minutes at most.
     */
    default int writtenSince(long nanos) {
        return 0;
    }
}
