package org.autosync.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keystone v3 password authentication, scoped to a project by name: {@code POST /v3/auth/tokens},
 * the token in {@code X-Subject-Token}, its lifetime from the body's {@code issued_at} and
 * {@code expires_at} (so the two hosts' clocks need not agree).
 */
public final class KeystoneLogin implements ServiceLogin {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneLogin.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeystoneCredentials credentials;
    private final AuthHttp http;
    private final Clock clock;
    private final AtomicBoolean regionWarned = new AtomicBoolean();

    public KeystoneLogin(KeystoneCredentials credentials, AuthHttp http, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials");
        this.http = requireNonNull(http, "http");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public String describe() {
        return "keystone " + credentials.authUrl() + " as " + credentials.user() + " (domain "
                + credentials.userDomain() + ") in project " + credentials.project();
    }

    @Override
    public CompletableFuture<Grant> login() {
        byte[] body = requestBody();
        Instant sent = clock.instant();
        return http.send("POST", credentials.tokensUrl(),
                        Map.of("Content-Type", "application/json", "Accept", "application/json"), body)
                .thenApply(r -> grant(r, sent));
    }

    byte[] requestBody() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode auth = root.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", credentials.user());
        user.putObject("domain").put("name", credentials.userDomain());
        user.put("password", credentials.password());
        ObjectNode project = auth.putObject("scope").putObject("project");
        project.put("name", credentials.project());
        project.putObject("domain").put("name", credentials.projectDomain());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the Keystone auth request", e);
        }
    }

    private Grant grant(AuthResponse r, Instant sent) {
        if (!r.is2xx()) {
            throw new AuthFailedException("HTTP " + r.status(), r.status(), null);
        }
        String token = r.header("X-Subject-Token");
        if (token == null || token.isBlank()) {
            throw new AuthFailedException("no X-Subject-Token in HTTP " + r.status() + " response", r.status(), null);
        }
        JsonNode t;
        try {
            t = JSON.readTree(r.body()).path("token");
        } catch (IOException e) {
            throw new AuthFailedException("unreadable token body in HTTP " + r.status() + " response", r.status(), e);
        }
        Instant expires = instant(t.path("expires_at").asText(null));
        if (expires == null) {
            throw new AuthFailedException("no usable token.expires_at in HTTP " + r.status() + " response",
                    r.status(), null);
        }
        Instant issued = instant(t.path("issued_at").asText(null));
        Duration lifetime = Duration.between(issued != null ? issued : sent, expires);
        checkRegion(t.path("catalog"));
        return new Grant(token.strip(), lifetime.isNegative() ? Duration.ZERO : lifetime);
    }

    /** A service identity of another deployment would act on the wrong clusters: say so once. */
    private void checkRegion(JsonNode catalog) {
        String region = credentials.region();
        if (region == null || !catalog.isArray() || regionWarned.get()) {
            return;
        }
        for (JsonNode service : catalog) {
            if (!"object-store".equals(service.path("type").asText())) {
                continue;
            }
            for (JsonNode ep : service.path("endpoints")) {
                if (region.equals(ep.path("region").asText(null)) || region.equals(ep.path("region_id").asText(null))) {
                    return;
                }
            }
        }
        if (regionWarned.compareAndSet(false, true)) {
            LOG.warn("{}: the token's catalog has no object-store endpoint in region '{}'; "
                    + "check service-credentials.region", describe(), region);
        }
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                // Keystone writes "2026-11-21T10:00:00.000000Z"; some deployments omit the zone
                return OffsetDateTime.parse(text + "Z").toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
