package org.autosync.proxy.federation.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autosync.proxy.federation.drift.ListingCompare.Entry;
import org.autosync.proxy.federation.drift.ListingCompare.Result;
import org.autosync.proxy.federation.drift.ListingCompare.Totals;
import org.junit.jupiter.api.Test;

class ListingCompareTest {
    private static Entry e(String name, String hash, long bytes) {
        return new Entry(name, hash, bytes, "2026-11-28T10:00:00.000000");
    }

    private static Map<String, List<Entry>> listings(List<Entry> a, List<Entry> b) {
        Map<String, List<Entry>> m = new LinkedHashMap<>();
        m.put("a", a);
        m.put("b", b);
        return m;
    }

    @Test
    void copiesListingTheSameObjectsAreInStep() {
        Result r = ListingCompare.compare(listings(List.of(e("o1", "h1", 3), e("o2", "h2", 4)),
                List.of(e("o1", "h1", 3), e("o2", "h2", 4))), 10);
        assertTrue(r.inStep());
        assertEquals(new Totals(2, 7), r.totals().get("b"));
    }

    @Test
    void missingAndDifferingObjectsAreNamedWithTheirSites() {
        Result r = ListingCompare.compare(listings(List.of(e("both", "h1", 3), e("only-a", "h2", 4)),
                List.of(e("both", "OTHER", 3), e("only-b", "h3", 5))), 10);
        assertFalse(r.inStep());
        assertEquals(Map.of("only-a", List.of("b"), "only-b", List.of("a")), r.missing());
        assertEquals(Map.of("both", Map.of("a", "h1", "b", "OTHER")), r.differing());
        assertEquals(new Totals(2, 7), r.totals().get("a"));
        assertEquals(new Totals(2, 8), r.totals().get("b"));
    }

    @Test
    void namesBeyondWhereAListingWasCutAreNotMissing() {
        // a's listing was cut after o2; b listed o3 and o4 too: unknown at a, not missing there
        Result r = ListingCompare.compare(listings(List.of(e("o1", "h1", 1), e("o2", "h2", 1)),
                List.of(e("o1", "h1", 1), e("o2", "h2", 1), e("o3", "h3", 1), e("o4", "h4", 1))), 10, "o2");
        assertTrue(r.inStep(), r.toString());
        Result all = ListingCompare.compare(listings(List.of(e("o1", "h1", 1)),
                List.of(e("o1", "h1", 1), e("o0", "h0", 1), e("o3", "h3", 1))), 10, "o2");
        assertEquals(1, all.missingCount(), "o0 comes before the cut: really missing at a");
        assertEquals(List.of("a"), all.missing().get("o0"));
    }

    @Test
    void theCutFollowsSwiftsOrderByUtf8Bytes() {
        // U+FFFD sorts before U+1F600 in UTF-8 bytes (EF.. < F0..) but after it in UTF-16 (FFFD > D83D)
        String bmp = "o\uFFFD";
        String emoji = "o\uD83D\uDE00";
        Result r = ListingCompare.compare(listings(List.of(e(bmp, "h1", 1)),
                List.of(e(bmp, "h1", 1), e(emoji, "h2", 1))), 10, bmp);
        assertTrue(r.inStep(), "the emoji comes after the cut at " + bmp + " in Swift's order: " + r);
    }

    @Test
    void longListsAreCappedButCountedInFull() {
        List<Entry> many = java.util.stream.IntStream.range(0, 30).mapToObj(i -> e("o" + i, "h", 1)).toList();
        Result r = ListingCompare.compare(listings(many, List.of()), 5);
        assertEquals(30, r.missingCount());
        assertEquals(5, r.missing().size());
    }
}
