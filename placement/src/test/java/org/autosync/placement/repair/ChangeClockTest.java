package org.autosync.placement.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeClockTest {
    @Test
    void laterTimeWinsThenGreaterSiteName() {
        assertTrue(new ChangeClock(2, "a").isNewerThan(new ChangeClock(1, "z")));
        assertTrue(new ChangeClock(5, "b").isNewerThan(new ChangeClock(5, "a")), "a tie goes to the site name");
        assertFalse(new ChangeClock(5, "a").isNewerThan(new ChangeClock(5, "a")), "the same clock is not newer");
        assertTrue(new ChangeClock(0, "a").isNewerThan(null), "any clock beats none");
    }

    @Test
    void textFormSortsLikeTheClocksAndReadsBack() {
        ChangeClock c = new ChangeClock(1_764_331_200_123_456L, "site-b");
        assertEquals("1764331200123456-site-b", c.toString());
        assertEquals("0000000000000042-a", new ChangeClock(42, "a").toString());
        assertEquals(c, ChangeClock.parse(c.toString()));
        assertTrue(new ChangeClock(42, "a").toString().compareTo(new ChangeClock(100, "a").toString()) < 0);
    }

    @Test
    void headerListsRoundTrip() {
        Map<String, ChangeClock> m = new LinkedHashMap<>();
        m.put("x-container-meta-color", new ChangeClock(7, "a"));
        m.put("x-container-read", new ChangeClock(9, "b"));
        String text = ChangeClock.formatAll(m);
        assertEquals("x-container-meta-color=0000000000000007-a, x-container-read=0000000000000009-b", text);
        assertEquals(m, ChangeClock.parseAll(text));
        assertEquals(Map.of("x-container-meta-color", new ChangeClock(7, "a")),
                ChangeClock.parseAll("X-Container-Meta-Color = 7-a"), "names are lower-cased, space is fine");
        assertEquals(Map.of(), ChangeClock.parseAll(null));
        assertEquals(Map.of(), ChangeClock.parseAll(" "));
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] {"7", "-a", "7-", "x-7", "7-a/b", "99999999999999999999-a", "7-a b"}) {
            assertThrows(IllegalArgumentException.class, () -> ChangeClock.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ChangeClock.parseAll("x-container-meta-a"));
        assertThrows(IllegalArgumentException.class, () -> ChangeClock.parseAll("=7-a"));
        assertThrows(IllegalArgumentException.class, () -> new ChangeClock(-1, "a"));
    }
}
