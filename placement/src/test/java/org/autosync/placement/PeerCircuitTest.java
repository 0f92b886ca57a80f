package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerCircuitTest {
    @Test
    void opensAfterTheGivenFailuresInARowAndClosesAtTheFirstSuccess() {
        PeerCircuit c = PeerCircuit.INITIAL;
        c = c.after(false, 2);
        assertFalse(c.isDown(), "one failure is not yet down");
        c = c.after(true, 2);
        assertEquals(PeerCircuit.INITIAL, c, "a success forgets the failures");
        c = c.after(false, 2).after(false, 2);
        assertTrue(c.isDown());
        c = c.after(false, 2);
        assertTrue(c.isDown(), "stays down while checks fail");
        assertEquals(3, c.failures());
        assertFalse(c.after(true, 2).isDown(), "one good health check closes it");
    }

    @Test
    void openAfterOneTakesTheFirstFailure() {
        assertTrue(PeerCircuit.INITIAL.after(false, 1).isDown());
        assertThrows(IllegalArgumentException.class, () -> PeerCircuit.INITIAL.after(false, 0));
    }

    @Test
    void whichOutcomesSayTheSiteIsFailing() {
        Duration t = Duration.ofMillis(5);
        assertTrue(SiteOutcome.timeout("b", t).siteFailing());
        assertTrue(SiteOutcome.connectRefused("b", t).siteFailing());
        assertTrue(SiteOutcome.http("b", 503, t).siteFailing(), "the peer proxy's cluster is down");
        assertFalse(SiteOutcome.http("b", 409, t).siteFailing(), "a refusal is an answer");
        assertFalse(SiteOutcome.http("b", 201, t).siteFailing());
        assertFalse(SiteOutcome.authFailed("b", t).siteFailing(), "a login problem: calls would not help");
        assertEquals("down", SiteOutcome.down("b").label());
        assertEquals("pending", SiteOutcome.pending("b").label());
    }
}
