package org.autosync.auth;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** tempauth (and swauth) v1: a GET with X-Auth-User and X-Auth-Key, the token in X-Auth-Token. */
public final class TempAuthLogin implements ServiceLogin {
    private static final Logger LOG = LoggerFactory.getLogger(TempAuthLogin.class);

    /** Used when the auth response has no usable {@code X-Auth-Token-Expires}. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private final ServiceCredentials credentials;
    private final AuthHttp http;

    public TempAuthLogin(ServiceCredentials credentials, AuthHttp http) {
        this.credentials = requireNonNull(credentials, "credentials");
        this.http = requireNonNull(http, "http");
    }

    @Override
    public String describe() {
        return "tempauth " + credentials.authUrl() + " as " + credentials.user();
    }

    @Override
    public CompletableFuture<Grant> login() {
        return http.get(credentials.authUrl(), Map.of("X-Auth-User", credentials.user(),
                "X-Auth-Key", credentials.key())).thenApply(this::grant);
    }

    private Grant grant(AuthResponse r) {
        if (!r.is2xx()) {
            throw new AuthFailedException("HTTP " + r.status(), r.status(), null);
        }
        String token = r.header("X-Auth-Token");
        if (token == null || token.isBlank()) {
            throw new AuthFailedException("no X-Auth-Token in HTTP " + r.status() + " response", r.status(), null);
        }
        return new Grant(token.strip(), lifetime(r.header("X-Auth-Token-Expires")));
    }

    private Duration lifetime(String expires) {
        if (expires == null) {
            return DEFAULT_LIFETIME;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(expires.strip())));
        } catch (NumberFormatException e) {
            LOG.warn("ignoring unparsable X-Auth-Token-Expires from {}; assuming {}", credentials.authUrl(),
                    DEFAULT_LIFETIME);
            return DEFAULT_LIFETIME;
        }
    }
}
