package org.autosync.proxy.federation.repair;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.autosync.placement.repair.RepairRecord;

/** Stores repair records durably before the client's answer; completes exceptionally when it could not. */
@FunctionalInterface
public interface RepairRecorder {
    /** Repair off: nothing is recorded, what a site misses stays missed. */
    RepairRecorder NONE = records -> CompletableFuture.completedFuture(null);

    CompletableFuture<?> record(List<RepairRecord> records);
}
