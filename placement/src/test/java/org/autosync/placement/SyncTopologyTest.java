package org.autosync.placement;

import static org.autosync.placement.TestSites.A;
import static org.autosync.placement.TestSites.B;
import static org.autosync.placement.TestSites.C;
import static org.autosync.placement.TestSites.D;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyncTopologyTest {

    private final SyncTopology topology = new SyncTopology("lab");

    @Test
    void oneSiteHasNoSync() {
        assertEquals(Optional.empty(), topology.syncTo(Placement.of(A), "a", "AUTH_x", "c"));
        assertEquals(Optional.empty(), topology.next(Placement.of(A), "a"));
    }

    @Test
    void twoSitesSyncToEachOther() {
        Placement p = Placement.of(A, B);
        assertEquals(Optional.of("//lab/cluster-b/AUTH_x/c"), topology.syncTo(p, "a", "AUTH_x", "c"));
        assertEquals(Optional.of("//lab/cluster-a/AUTH_x/c"), topology.syncTo(p, "b", "AUTH_x", "c"));
    }

    @Test
    void threeSitesFormARing() {
        Placement p = Placement.of(A, B, C);
        assertEquals(Optional.of("//lab/cluster-b/AUTH_x/c"), topology.syncTo(p, "a", "AUTH_x", "c"));
        assertEquals(Optional.of("//lab/cluster-c/AUTH_x/c"), topology.syncTo(p, "b", "AUTH_x", "c"));
        assertEquals(Optional.of("//lab/cluster-a/AUTH_x/c"), topology.syncTo(p, "c", "AUTH_x", "c"));
    }

    @Test
    void aSiteRoutedAroundIsSkippedOnlyByTheSiteBeforeIt() {
        Placement p = Placement.of(A, B, C);
        Set<String> aroundB = Set.of("b");
        assertEquals(Optional.of("//lab/cluster-c/AUTH_x/c"), topology.syncTo(p, "a", "AUTH_x", "c", aroundB));
        assertEquals(Optional.of("//lab/cluster-a/AUTH_x/c"), topology.syncTo(p, "c", "AUTH_x", "c", aroundB));
        // b's own copy (when it is back before the others know) still syncs on to c
        assertEquals(Optional.of("//lab/cluster-c/AUTH_x/c"), topology.syncTo(p, "b", "AUTH_x", "c", aroundB));
    }

    @Test
    void twoSitesInARowRoutedAround() {
        Placement p = Placement.of(A, B, C, D);
        assertEquals(Optional.of(D), topology.next(p, "a", Set.of("b", "c")));
        assertEquals(Optional.of(A), topology.next(p, "d", Set.of("b", "c")));
        assertEquals(Optional.of(D), topology.next(p, "c", Set.of("a", "b")));
    }

    @Test
    void everyOtherSiteRoutedAroundKeepsTheRing() {
        Placement p = Placement.of(A, B, C);
        assertEquals(Optional.of(B), topology.next(p, "a", Set.of("b", "c")));
        assertEquals(Optional.of(B), topology.next(Placement.of(A, B), "a", Set.of("b")));
    }

    @Test
    void routingAroundASiteOutsideThePlacementChangesNothing() {
        Placement p = Placement.of(A, B);
        assertEquals(Optional.of(B), topology.next(p, "a", Set.of("c")));
        assertEquals(topology.syncTo(p, "a", "AUTH_x", "c"), topology.syncTo(p, "a", "AUTH_x", "c", Set.of()));
    }

    @Test
    void ringFollowsPlacementOrderNotConfigOrder() {
        Placement p = Placement.of(C, A, B);
        assertEquals(Optional.of(A), topology.next(p, "c"));
        assertEquals(Optional.of(B), topology.next(p, "a"));
        assertEquals(Optional.of(C), topology.next(p, "b"));
    }

    @Test
    void usesRealmClusterNotSiteName() {
        String target = topology.syncTo(Placement.of(A, B), "a", "AUTH_x", "c").orElseThrow();
        assertTrue(target.contains("/cluster-b/"), target);
        assertTrue(!target.contains("/b/"), target);
    }

    @Test
    void namesArePutInVerbatim() {
        assertEquals(Optional.of("//lab/cluster-b/AUTH_t%C3%A9st/my%20container"),
                topology.syncTo(Placement.of(A, B), "a", "AUTH_t%C3%A9st", "my%20container"));
    }

    @Test
    void atSiteNotInPlacement() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> topology.syncTo(Placement.of(A, B), "c", "AUTH_x", "c"));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> topology.syncTo(Placement.of(A), "b", "AUTH_x", "c"));
    }

    @Test
    void rejectsNamesThatAreNotOneSegment() {
        Placement p = Placement.of(A, B);
        assertThrows(IllegalArgumentException.class, () -> topology.syncTo(p, "a", "", "c"));
        assertThrows(IllegalArgumentException.class, () -> topology.syncTo(p, "a", "AUTH_x", "c/d"));
        assertThrows(IllegalArgumentException.class, () -> topology.syncTo(p, "a", "AUTH_x/y", "c"));
    }

    @Test
    void rejectsBadRealm() {
        assertThrows(IllegalArgumentException.class, () -> new SyncTopology(""));
        assertThrows(IllegalArgumentException.class, () -> new SyncTopology("a/b"));
    }
}
