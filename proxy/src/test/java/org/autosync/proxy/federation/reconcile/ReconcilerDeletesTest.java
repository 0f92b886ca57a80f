package org.autosync.proxy.federation.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.proxy.federation.repair.ChangeClocks;
import org.junit.jupiter.api.Test;

/** How a reconcile reads a peer's page of container deletes: never "none" from an answer it cannot read. */
class ReconcilerDeletesTest {
    private static ChangeClocks.DeletePage parse(String json) {
        return Reconciler.parseDeletes(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPageIsReadWithItsMarker() {
        assertEquals(new ChangeClocks.DeletePage(Map.of("c d+%é", new ChangeClock(9, "b")), "AUTH_t/c d+%é/9-b"),
                parse("{\"deletes\": {\"c d+%é\": \"0000000000000009-b\"}, \"next\": \"AUTH_t/c d+%é/9-b\"}"));
        assertEquals(new ChangeClocks.DeletePage(Map.of(), null), parse("{\"deletes\": {}, \"next\": null}"));
    }

    @Test
    void swiftsOwnListingFromAPeerThatDoesNotKnowTheQuestionIsNotNoDeletes() {
        assertThrows(IllegalArgumentException.class, () -> parse("[{\"name\": \"c\", \"count\": 0}]"));
        assertThrows(IllegalArgumentException.class, () -> parse("{\"next\": null}"));
        assertThrows(IllegalArgumentException.class, () -> parse("not json"));
        assertThrows(IllegalArgumentException.class, () -> parse("{\"deletes\": {\"c\": \"yesterday\"}, \"next\": null}"));
    }
}
