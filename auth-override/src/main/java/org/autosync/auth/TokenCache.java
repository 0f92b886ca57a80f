package org.autosync.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token of this site's service identity (tempauth v1), logged in on demand and reused until
 * shortly before it expires.
 *
 * <p>While a login is in flight every caller waits on that same login, so a burst of requests after
 * expiry costs one login, not one per request. A failed login is not cached: the next call tries again.
 *
 * <p>Thread-safe; meant to be shared by all event loops.
 */
public final class TokenCache {

    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);

    /** Used when the auth response has no usable {@code X-Auth-Token-Expires}. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    /** Refresh this long before expiry, so a token does not expire between lookup and use. */
    public static final Duration REFRESH_EARLY = Duration.ofSeconds(30);

    private record Cached(String token, Instant refreshAt) {
    }

    private final ServiceCredentials credentials;
    private final AuthHttp http;
    private final Clock clock;
    private final Object lock = new Object();

    private volatile Cached cached;        // written under lock
    private CompletableFuture<String> inFlight; // guarded by lock

    public TokenCache(ServiceCredentials credentials, AuthHttp http, Clock clock) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A valid token: the cached one, or the result of a login (shared with concurrent callers).
     * Fails with {@link AuthFailedException}; each caller gets its own future, so cancelling it does
     * not affect others.
     */
    public CompletableFuture<String> token() {
        Instant now = clock.instant();
        Cached c = cached;
        if (c != null && now.isBefore(c.refreshAt())) {
            return CompletableFuture.completedFuture(c.token());
        }
        CompletableFuture<String> shared;
        boolean start = false;
        synchronized (lock) {
            c = cached;
            if (c != null && now.isBefore(c.refreshAt())) {
                return CompletableFuture.completedFuture(c.token());
            }
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                start = true;
            }
            shared = inFlight;
        }
        if (start) {
            login(shared, now);
        }
        CompletableFuture<String> mine = new CompletableFuture<>();
        shared.whenComplete((token, error) -> {
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(token);
            }
        });
        return mine;
    }

    /**
     * Forgets the cached token if it is {@code token}, typically after Swift answered 401 with it.
     * A different (newer) cached token is kept, so a late 401 for an old token does not force a login.
     */
    public void invalidate(String token) {
        Objects.requireNonNull(token, "token");
        synchronized (lock) {
            Cached c = cached;
            if (c != null && c.token().equals(token)) {
                cached = null;
            }
        }
    }

    public ServiceCredentials credentials() {
        return credentials;
    }

    private void login(CompletableFuture<String> shared, Instant startedAt) {
        CompletableFuture<AuthResponse> response;
        try {
            response = Objects.requireNonNull(
                    http.get(credentials.authUrl(), Map.of("X-Auth-User", credentials.user(),
                            "X-Auth-Key", credentials.key())),
                    "AuthHttp returned null");
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((r, e) -> {
            try {
                finish(shared, startedAt, r, e);
            } catch (RuntimeException bug) {
                // never leave waiters hanging
                clearInFlight(shared);
                shared.completeExceptionally(bug);
            }
        });
    }

    private void finish(CompletableFuture<String> shared, Instant startedAt, AuthResponse response, Throwable error) {
        String token = null;
        AuthFailedException failure = null;
        Duration lifetime = null;
        if (error != null) {
            Throwable cause = unwrap(error);
            failure = failed(cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), 0, cause);
        } else if (!response.is2xx()) {
            failure = failed("HTTP " + response.status(), response.status(), null);
        } else {
            token = response.header("X-Auth-Token");
            if (token == null || token.isBlank()) {
                failure = failed("no X-Auth-Token in HTTP " + response.status() + " response", response.status(), null);
            } else {
                token = token.strip();
                lifetime = lifetime(response.header("X-Auth-Token-Expires"));
            }
        }

        synchronized (lock) {
            if (inFlight == shared) {
                inFlight = null;
            }
            if (failure == null) {
                // counted from when the login was sent: the token cannot be older than that
                cached = new Cached(token, startedAt.plus(lifetime).minus(refreshEarly(lifetime)));
            }
        }
        if (failure != null) {
            LOG.warn("{}", failure.getMessage());
            shared.completeExceptionally(failure);
        } else {
            LOG.debug("service login to {} as {} succeeded, token valid {} s",
                    credentials.authUrl(), credentials.user(), lifetime.getSeconds());
            shared.complete(token);
        }
    }

    private void clearInFlight(CompletableFuture<String> shared) {
        synchronized (lock) {
            if (inFlight == shared) {
                inFlight = null;
            }
        }
    }

    private AuthFailedException failed(String why, int status, Throwable cause) {
        return new AuthFailedException("service login to " + credentials.authUrl() + " as " + credentials.user()
                + " failed: " + why, status, cause);
    }

    private Duration lifetime(String expires) {
        if (expires == null) {
            return DEFAULT_LIFETIME;
        }
        try {
            long seconds = Long.parseLong(expires.strip());
            return Duration.ofSeconds(Math.max(0, seconds));
        } catch (NumberFormatException e) {
            LOG.warn("ignoring unparsable X-Auth-Token-Expires from {}; assuming {}", credentials.authUrl(),
                    DEFAULT_LIFETIME);
            return DEFAULT_LIFETIME;
        }
    }

    // for very short-lived tokens, refreshing 30 s early would mean never reusing them
    private static Duration refreshEarly(Duration lifetime) {
        Duration half = lifetime.dividedBy(2);
        return half.compareTo(REFRESH_EARLY) < 0 ? half : REFRESH_EARLY;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "TokenCache[" + credentials + "]";
    }
}
