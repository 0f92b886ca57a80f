package org.autosync.proxy.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BodyBudgetTest {
    @Test
    void takesWhatFitsRefusesWhatWouldPassTheLimitAndTakesNothingThen() {
        BodyBudget b = new BodyBudget(100);
        assertTrue(b.tryTake(60));
        assertFalse(b.tryTake(41), "60 + 41 > 100");
        assertEquals(60, b.held(), "a refusal takes nothing");
        assertTrue(b.tryTake(40), "exactly the limit fits");
        assertFalse(b.tryTake(1));
        b.giveBack(60);
        assertEquals(40, b.held());
        assertTrue(b.tryTake(60));
        assertTrue(b.tryTake(0));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BodyBudget(0));
        assertThrows(IllegalArgumentException.class, () -> new BodyBudget(10).tryTake(-1));
    }
}
