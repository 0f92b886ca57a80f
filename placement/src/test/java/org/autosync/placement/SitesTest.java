package org.autosync.placement;

import static org.autosync.placement.TestSites.A;
import static org.autosync.placement.TestSites.B;
import static org.autosync.placement.TestSites.C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SitesTest {

    @Test
    void keepsOrderAndLooksUpByName() {
        Sites sites = Sites.of(C, A, B);
        assertEquals(List.of(C, A, B), sites.all());
        assertEquals(3, sites.size());
        assertSame(B, sites.get("b"));
        assertEquals(Optional.of(A), sites.find("a"));
        assertEquals(Optional.empty(), sites.find("z"));
    }

    @Test
    void unknownSiteMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> Sites.of(A).get("x"));
        assertEquals("unknown site 'x'", e.getMessage());
    }

    @Test
    void rejectsDuplicateNames() {
        Site otherA = new Site("a", URI.create("http://elsewhere"), "other");
        var e = assertThrows(IllegalArgumentException.class, () -> Sites.of(A, B, otherA));
        assertEquals("duplicate site 'a'", e.getMessage());
    }

    @Test
    void isImmutable() {
        List<Site> source = new ArrayList<>(List.of(A, B));
        Sites sites = new Sites(source);
        source.add(C);
        assertEquals(2, sites.size());
        assertTrue(sites.find("c").isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> sites.all().add(C));
    }
}
