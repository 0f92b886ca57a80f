package org.autosync.proxy.federation.repair;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.autosync.placement.repair.RepairRecord;

/** What the repair worker needs to carry one record forward. */
public interface RecordHandler {
    /** Handles one record; {@code emptySince} is what the last outcome of a drain said. */
    CompletableFuture<KeyRepairer.Outcome> repair(RepairRecord r, Long emptySince);

    /** The other sites the record's key is placed at. */
    List<String> peersOf(RepairRecord r);
}
