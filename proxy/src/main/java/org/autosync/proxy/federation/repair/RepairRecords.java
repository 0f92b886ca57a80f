package org.autosync.proxy.federation.repair;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.autosync.placement.repair.RepairRecord;

/** What the fan-out needs of this site's repair records. */
public interface RepairRecords {
    /** Repair off: nothing is recorded, what a site misses stays missed. */
    RepairRecords NONE = new RepairRecords() {
        @Override
        public CompletableFuture<List<String>> record(List<RepairRecord> records) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<List<RepairJournal.Entry>> pendingFor(String account, String container) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<Void> remove(String name) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> noteAccount(String account) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> hasPending(String account, String container) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Boolean> pendingTo(String account, String container, String target) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Boolean> mayHavePending(String account, String container) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<List<String>> supersedeDrains(String account, String container,
                                                               long changedAtMicros) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public Runnable deleteUnderway(String account, String container) {
            return () -> { };
        }
    };

    /** Stores records durably; completes exceptionally when one could not be stored. */
    CompletableFuture<List<String>> record(List<RepairRecord> records);

    /** The records still pending for one key, oldest first. */
    CompletableFuture<List<RepairJournal.Entry>> pendingFor(String account, String container);

    /** Deletes exactly the record {@code name}. */
    CompletableFuture<Void> remove(String name);

    /** Notes an account Autosync served, so that the reconcile covers it. */
    CompletableFuture<Void> noteAccount(String account);

    /**
     * Whether records are pending for the key ({@code container} "" for the account), by a
     * listing at most a repair interval old plus what this process wrote since: cheap enough to
     * ask for every key a reconcile is about to change.
     */
    CompletableFuture<Boolean> hasPending(String account, String container);

    /**
     * The same from what is known now (the worker's last listing and what this process wrote
     * since), without waiting for a listing: for the request path.
     */
    CompletableFuture<Boolean> mayHavePending(String account, String container);

    /**
     * Whether records of the key aimed at {@code target} are pending, by a listing made now (and
     * what this process wrote since): a change taken here that is still to reach that site. A
     * key sharing the hash counts too: the asker only waits longer.
     */
    CompletableFuture<Boolean> pendingTo(String account, String container, String target);

    /**
     * Calls off this site's draining deletes of the container that are older than
     * {@code changedAtMicros}: a PUT or POST a client got its 2xx for after the delete wants the
     * container kept, as it would be on a single Swift. Completes with the records removed.
     */
    CompletableFuture<List<String>> supersedeDrains(String account, String container, long changedAtMicros);

    /**
     * Notes that a client's delete of the container is being carried out by this process, from
     * before its local copy goes until its records are written or every site has it: the key
     * counts as pending meanwhile ({@link #hasPending}, {@link #mayHavePending}), so that a
     * reconcile does not bring back the copy already deleted. Run what it returns when done.
     */
    Runnable deleteUnderway(String account, String container);
}
