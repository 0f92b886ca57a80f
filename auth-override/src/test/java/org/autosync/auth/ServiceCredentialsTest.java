package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ServiceCredentialsTest {

    private static final URI AUTH = URI.create("http://swift-a:8080/auth/v1.0");

    @Test
    void toStringHidesKey() {
        String s = new ServiceCredentials(AUTH, "autosync:sync", "hunter2-secret-key").toString();
        assertFalse(s.contains("hunter2-secret-key"), s);
        assertTrue(s.contains("key=***"), s);
        assertTrue(s.contains("autosync:sync"), s);
        assertTrue(s.contains(AUTH.toString()), s);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new ServiceCredentials(AUTH, " ", "k"));
        assertThrows(IllegalArgumentException.class, () -> new ServiceCredentials(AUTH, "u", ""));
        assertThrows(IllegalArgumentException.class,
                () -> new ServiceCredentials(URI.create("ftp://h/auth"), "u", "k"));
        assertThrows(IllegalArgumentException.class,
                () -> new ServiceCredentials(URI.create("http://u:pw@h/auth"), "u", "k"));
        assertThrows(NullPointerException.class, () -> new ServiceCredentials(null, "u", "k"));
    }
}
