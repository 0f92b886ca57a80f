package org.autosync.proxy.federation.repair;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.autosync.placement.repair.CopyState;
import org.autosync.placement.repair.RepairAction;
import org.autosync.placement.repair.RepairDecision;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.junit.jupiter.api.Test;

/** When a repair needs this site's change clocks: only for values a clock can exist for. */
class KeyRepairerTest {
    private static final Map<String, String> SYNC = Map.of("x-container-sync-to", "//lab/b/AUTH_t/c",
            "x-container-sync-key", "k");

    private static RepairAction decide(RepairOp op, Map<String, String> here, CopyState there) {
        RepairRecord r = new RepairRecord("AUTH_t", "c", op, "b", "a", 1L,
                op == RepairOp.CONTAINER_POST ? Set.of("x-container-meta-color") : Set.of());
        return RepairDecision.decide(r, CopyState.present(here), there, SYNC);
    }

    @Test
    void aCreateWithoutMetadataNeedsNoClocks() {
        RepairAction a = decide(RepairOp.CONTAINER_PUT, Map.of("x-storage-policy", "gold",
                "x-container-object-count", "0"), CopyState.absent());
        assertTrue(a.kind().acts(), a.toString());
        assertFalse(KeyRepairer.carriesMetadata(a, true), "sync headers and the policy are never clocked: " + a);
    }

    @Test
    void aCreateCarryingMetadataOrAnAclNeedsThem() {
        assertTrue(KeyRepairer.carriesMetadata(decide(RepairOp.CONTAINER_PUT, Map.of("x-storage-policy", "gold",
                "x-container-meta-color", "blue"), CopyState.absent()), true));
        assertTrue(KeyRepairer.carriesMetadata(decide(RepairOp.CONTAINER_PUT, Map.of("x-container-read", ".r:*"),
                CopyState.absent()), true));
    }

    @Test
    void aRemovalAtTheTargetNeedsThemToo() {
        // b still has the value a removed: the removal goes out with a's clock, or b's newer value
        // of its own could not be told from it
        RepairAction a = decide(RepairOp.CONTAINER_POST, Map.of(), CopyState.present(Map.of(
                "x-container-meta-color", "blue", "x-container-sync-to", "//lab/a/AUTH_t/c",
                "x-container-sync-key", "k")));
        assertTrue(a.kind().acts(), a.toString());
        assertTrue(KeyRepairer.carriesMetadata(a, true), a.toString());
    }

    @Test
    void nothingToDoNeedsNoClocks() {
        RepairAction a = RepairDecision.decide(new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_PUT, "b", "a", 1L,
                Set.of()), CopyState.present(Map.of()), CopyState.present(SYNC), SYNC);
        assertFalse(a.kind().acts(), a.toString());
        assertFalse(KeyRepairer.carriesMetadata(a, true));
    }
}
