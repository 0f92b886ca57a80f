package org.autosync.placement;

import static org.autosync.placement.TestSites.A;
import static org.autosync.placement.TestSites.B;
import static org.autosync.placement.TestSites.C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {

    @Test
    void basics() {
        Placement p = Placement.of(B, A);
        assertEquals(List.of("b", "a"), p.names());
        assertEquals(B, p.first());
        assertTrue(p.contains("a"));
        assertFalse(p.contains("c"));
        assertEquals(1, p.indexOf("a"));
        assertEquals(-1, p.indexOf("c"));
        assertEquals(2, p.size());
    }

    @Test
    void toStringListsNames() {
        assertEquals("[a, b, c]", Placement.of(A, B, C).toString());
        assertEquals("[c]", Placement.of(C).toString());
    }

    @Test
    void rejectsEmpty() {
        assertThrows(IllegalArgumentException.class, () -> new Placement(List.of()));
    }

    @Test
    void rejectsDuplicateSiteName() {
        Site otherA = new Site("a", URI.create("http://x"), "x");
        var e = assertThrows(IllegalArgumentException.class, () -> Placement.of(A, otherA));
        assertTrue(e.getMessage().contains("duplicate site 'a'"), e.getMessage());
    }
}
