package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataRoomTest {
    private static final String P = "x-account-meta-";

    private static Map<String, String> items(int n, int valueLength) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(P + "k" + i, "v".repeat(valueLength));
        }
        return m;
    }

    @Test
    void aChangeThatFitsPasses() {
        assertNull(MetadataRoom.check(items(10, 10), Map.of("X-Account-Meta-New", List.of("x")), P, 90, 4096));
    }

    @Test
    void countIsOverWhatTheSiteHoldsAfterTheMerge() {
        assertNull(MetadataRoom.check(items(89, 1), Map.of("X-Account-Meta-New", List.of("x")), P, 90, 4096));
        assertEquals("Too many metadata items; max 90",
                MetadataRoom.check(items(90, 1), Map.of("X-Account-Meta-New", List.of("x")), P, 90, 4096));
        // replacing an item it holds adds none
        assertNull(MetadataRoom.check(items(90, 1), Map.of("X-Account-Meta-K3", List.of("y")), P, 90, 4096));
    }

    @Test
    void removalsMakeRoomBothWays() {
        assertNull(MetadataRoom.check(items(90, 1), Map.of("X-Account-Meta-New", List.of("x"),
                "X-Remove-Account-Meta-K1", List.of("x")), P, 90, 4096));
        assertNull(MetadataRoom.check(items(90, 1), Map.of("X-Account-Meta-New", List.of("x"),
                "X-Account-Meta-K2", List.of("")), P, 90, 4096));
    }

    @Test
    void sizeCountsNamesWithoutThePrefixAndValuesInBytes() {
        // 40 items of "kNN" + 100 bytes: 40 * (2..3 + 100) > 4096 only with the new one
        Map<String, String> held = items(39, 100); // 10 * (2 + 100) + 29 * (3 + 100) = 4007
        assertNull(MetadataRoom.check(held, Map.of("X-Account-Meta-A", List.of("x".repeat(88))), P, 90, 4096));
        assertEquals("Total metadata too large; max 4096",
                MetadataRoom.check(held, Map.of("X-Account-Meta-A", List.of("\u00e9".repeat(45))), P, 90, 4096));
        assertNull(MetadataRoom.check(held, Map.of("X-Account-Meta-A", List.of("x".repeat(500))), P, 0, 0), "0: no check");
    }

    @Test
    void otherHeadersDoNotCount() {
        assertNull(MetadataRoom.check(Map.of("x-account-object-count", "5", "x-account-meta-a", "b"),
                Map.of("X-Container-Meta-Big", List.of("x".repeat(5000)), "X-Account-Access-Control", List.of("{}")),
                P, 1, 4096));
    }
}
