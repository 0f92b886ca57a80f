package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerHeadersTest {

    @Test
    void names() {
        assertEquals("X-Autosync-Peer-Site", PeerHeaders.SITE);
        assertEquals("X-Autosync-Peer-Timestamp", PeerHeaders.TIMESTAMP);
        assertEquals("X-Autosync-Peer-Nonce", PeerHeaders.NONCE);
        assertEquals("X-Autosync-Peer-Signature", PeerHeaders.SIGNATURE);
        assertEquals("X-Autosync-Peer-Signed-Headers", PeerHeaders.SIGNED_HEADERS);
    }

    @Test
    void isPeerHeaderIgnoresCase() {
        for (String name : PeerHeaders.ALL) {
            assertTrue(PeerHeaders.isPeerHeader(name), name);
            assertTrue(PeerHeaders.isPeerHeader(name.toLowerCase()), name);
            assertTrue(PeerHeaders.isPeerHeader(name.toUpperCase()), name);
        }
        assertTrue(PeerHeaders.isPeerHeader("x-autosync-peer-anything-else"));
        assertTrue(PeerHeaders.isPeerHeader("X-AUTOSYNC-PEER-"));
    }

    @Test
    void otherHeadersAreNot() {
        assertFalse(PeerHeaders.isPeerHeader("X-Autosync-Peer"));
        assertFalse(PeerHeaders.isPeerHeader("X-Autosync-Sites"));
        assertFalse(PeerHeaders.isPeerHeader("X-Auth-Token"));
        assertFalse(PeerHeaders.isPeerHeader("x-x-autosync-peer-site"));
        assertFalse(PeerHeaders.isPeerHeader(""));
    }
}
