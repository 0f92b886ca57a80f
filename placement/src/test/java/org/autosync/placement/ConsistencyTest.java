package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistencyTest {

    @ParameterizedTest
    @CsvSource({"all, ALL", "ALL, ALL", "Quorum, QUORUM", "quorum, QUORUM", "local, LOCAL", "LoCaL, LOCAL"})
    void parsesCaseInsensitively(String text, Consistency expected) {
        assertEquals(expected, Consistency.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "one", "majority", "al", "alll"})
    void rejectsOthers(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> Consistency.parse(text));
        assertEquals("consistency must be all, quorum or local, not '" + text + "'", e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Consistency.parse(null));
    }

    @Test
    void labels() {
        assertEquals("all", Consistency.ALL.label());
        assertEquals("quorum", Consistency.QUORUM.label());
        assertEquals("local", Consistency.LOCAL.label());
        for (Consistency c : Consistency.values()) {
            assertEquals(c, Consistency.parse(c.label()));
        }
    }
}
