package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void factories() {
        assertEquals(Verdict.Kind.NOT_PEER, Verdict.notPeer().kind());
        assertFalse(Verdict.notPeer().isVerified());
        assertFalse(Verdict.notPeer().isRejected());
        assertEquals("b", Verdict.verified("b").site());
        assertTrue(Verdict.verified("b").isVerified());
        assertEquals("stale timestamp", Verdict.rejected("stale timestamp").reason());
        assertTrue(Verdict.rejected("x").isRejected());
    }

    @Test
    void requiredFields() {
        assertThrows(NullPointerException.class, () -> Verdict.verified(null));
        assertThrows(NullPointerException.class, () -> Verdict.rejected(null));
    }
}
