package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthResponseTest {

    @Test
    void headerLookupIgnoresCaseAndTakesFirstValue() {
        AuthResponse r = new AuthResponse(200, Map.of("x-auth-token", List.of("t1", "t2")));
        assertEquals("t1", r.header("X-Auth-Token"));
        assertEquals("t1", r.header("X-AUTH-TOKEN"));
        assertNull(r.header("X-Storage-Url"));
    }

    @Test
    void is2xx() {
        assertTrue(AuthResponse.of(204, Map.of()).is2xx());
        assertFalse(AuthResponse.of(401, Map.of()).is2xx());
        assertFalse(AuthResponse.of(302, Map.of()).is2xx());
    }

    @Test
    void headersAreCopied() {
        List<String> values = new ArrayList<>(List.of("t1"));
        Map<String, List<String>> headers = new HashMap<>(Map.of("X-Auth-Token", values));
        AuthResponse r = new AuthResponse(200, headers);
        values.set(0, "changed");
        headers.put("X-Other", List.of("x"));
        assertEquals("t1", r.header("x-auth-token"));
        assertNull(r.header("X-Other"));
        assertThrows(UnsupportedOperationException.class, () -> r.headers().put("a", List.of()));
    }
}
