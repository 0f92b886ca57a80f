package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeystoneLoginTest {
    private static final String PASSWORD = "keystone-service-password";
    private static final KeystoneCredentials CREDS = new KeystoneCredentials(URI.create("http://ks:5000/v3/"),
            "autosync", PASSWORD, "service", "Default", "Default", "b");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

    private static AuthHttp answering(int status, Map<String, String> headers, String body,
                                      AtomicReference<String> seenUrl) {
        return (method, url, h, b) -> {
            assertEquals("POST", method);
            assertEquals("application/json", h.get("Content-Type"));
            seenUrl.set(url.toString());
            return CompletableFuture.completedFuture(AuthResponse.of(status, headers,
                    body.getBytes(StandardCharsets.UTF_8)));
        };
    }

    private static String tokenBody(String issued, String expires) {
        return "{\"token\":{\"methods\":[\"password\"],\"issued_at\":\"" + issued + "\",\"expires_at\":\"" + expires
                + "\"}}";
    }

    @Test
    void lifetimeIsExpiresMinusIssuedWhateverTheLocalClockSays() throws Exception {
        AtomicReference<String> url = new AtomicReference<>();
        // Keystone's clock is a day off ours: only the difference matters
        KeystoneLogin login = new KeystoneLogin(CREDS, answering(201, Map.of("X-Subject-Token", "gAAAA-tok"),
                tokenBody("2026-11-22T10:00:00.000000Z", "2026-11-22T11:30:00.000000Z"), url), clock);
        ServiceLogin.Grant g = login.login().get();
        assertEquals("http://ks:5000/v3/auth/tokens", url.get());
        assertEquals("gAAAA-tok", g.token());
        assertEquals(Duration.ofMinutes(90), g.lifetime());
    }

    @Test
    void withoutIssuedAtTheLifetimeCountsFromTheLogin() throws Exception {
        KeystoneLogin login = new KeystoneLogin(CREDS, answering(201, Map.of("X-Subject-Token", "t"),
                "{\"token\":{\"expires_at\":\"2026-11-21T10:10:00Z\"}}", new AtomicReference<>()), clock);
        assertEquals(Duration.ofMinutes(10), login.login().get().lifetime());
    }

    @Test
    void refusalIsAuthFailedWithStatusAndNoPassword() {
        KeystoneLogin login = new KeystoneLogin(CREDS, answering(401, Map.of(),
                "{\"error\":{\"code\":401}}", new AtomicReference<>()), clock);
        ExecutionException e = assertThrows(ExecutionException.class, () -> login.login().get());
        AuthFailedException a = assertInstanceOf(AuthFailedException.class, e.getCause());
        assertEquals(401, a.status());
        assertFalse(a.getMessage().contains(PASSWORD));
    }

    @Test
    void missingSubjectTokenOrExpiryFails() {
        KeystoneLogin noToken = new KeystoneLogin(CREDS, answering(201, Map.of(),
                tokenBody("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z"), new AtomicReference<>()), clock);
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> noToken.login().get());
        assertTrue(e1.getCause().getMessage().contains("X-Subject-Token"), e1.getCause().getMessage());
        KeystoneLogin noExpiry = new KeystoneLogin(CREDS, answering(201, Map.of("X-Subject-Token", "t"),
                "{\"token\":{}}", new AtomicReference<>()), clock);
        ExecutionException e2 = assertThrows(ExecutionException.class, () -> noExpiry.login().get());
        assertTrue(e2.getCause().getMessage().contains("expires_at"), e2.getCause().getMessage());
    }

    @Test
    void tokenCacheOverKeystoneNamesTheIdentityButNotThePassword() {
        TokenCache cache = new TokenCache(new KeystoneLogin(CREDS, answering(500, Map.of(), "",
                new AtomicReference<>()), clock), clock);
        ExecutionException e = assertThrows(ExecutionException.class, () -> cache.token().get());
        String m = e.getCause().getMessage();
        assertTrue(m.startsWith("service login (keystone http://ks:5000/v3/ as autosync (domain Default) in project "
                + "service) failed: HTTP 500"), m);
        assertFalse(m.contains(PASSWORD));
        assertFalse(CREDS.toString().contains(PASSWORD));
    }

    @Test
    void credentialsRefuseAUrlThatIsNotV3() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KeystoneCredentials(
                URI.create("http://ks:5000/v2.0"), "u", "p", "proj", "Default", "Default", null));
        assertTrue(e.getMessage().startsWith("authUrl:"), e.getMessage());
    }
}
