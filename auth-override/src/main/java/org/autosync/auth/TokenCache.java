package org.autosync.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token of this site's service identity, logged in on demand and reused until shortly before
 * it expires, or until the cluster answers 401 with it ({@link #invalidate}).
 *
 * <p>While a login is in flight every caller waits on that same login, so a burst of requests after
 * expiry costs one login, not one per request. A failed login is remembered for
 * {@link #RETRY_AFTER_FAILURE}: a burst against a broken auth service costs one attempt, and the
 * failure is logged once, not once per request; the recovery is logged too.
 *
 * <p>Thread-safe; meant to be shared by all event loops.
 */
public final class TokenCache {

    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);

    /** Refresh this long before expiry, so a token does not expire between lookup and use. */
    public static final Duration REFRESH_EARLY = Duration.ofSeconds(30);
    /** After a failed login, callers get that failure at once for this long. */
    public static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

    private record Cached(String token, Instant refreshAt) {
    }

    private record Failed(AuthFailedException error, Instant retryAt) {
    }

    private final ServiceLogin login;
    private final Clock clock;
    private final Object lock = new Object();

    private volatile Cached cached;        // written under lock
    private CompletableFuture<String> inFlight; // guarded by lock
    private Failed failed;                 // guarded by lock
    private boolean failing;               // guarded by lock: the last login failed (logged once)

    public TokenCache(ServiceLogin login, Clock clock) {
        this.login = Objects.requireNonNull(login, "login");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** tempauth v1. */
    public TokenCache(ServiceCredentials credentials, AuthHttp http, Clock clock) {
        this(new TempAuthLogin(credentials, http), clock);
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
            if (failed != null && now.isBefore(failed.retryAt()) && inFlight == null) {
                return CompletableFuture.failedFuture(failed.error());
            }
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                start = true;
            }
            shared = inFlight;
        }
        if (start) {
            start(shared, now);
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
     * Forgets the cached token if it is {@code token}, typically after the cluster answered 401 with it.
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

    /** Who logs in where; no secret. */
    public String describe() {
        return login.describe();
    }

    private void start(CompletableFuture<String> shared, Instant startedAt) {
        CompletableFuture<ServiceLogin.Grant> response;
        try {
            response = Objects.requireNonNull(login.login(), "login returned null");
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((grant, error) -> {
            try {
                finish(shared, startedAt, grant, error);
            } catch (Throwable bug) {
                // never leave waiters hanging, whatever broke (a LinkageError included)
                synchronized (lock) {
                    if (inFlight == shared) {
                        inFlight = null;
                    }
                }
                shared.completeExceptionally(bug);
            }
        });
    }

    private void finish(CompletableFuture<String> shared, Instant startedAt, ServiceLogin.Grant grant,
                        Throwable error) {
        AuthFailedException failure = null;
        if (error != null) {
            Throwable cause = unwrap(error);
            failure = cause instanceof AuthFailedException a
                    ? failed(a.getMessage(), a.status(), a)
                    : failed(cause.getClass().getSimpleName()
                            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), 0, cause);
        }
        boolean logFailure;
        boolean logRecovery;
        synchronized (lock) {
            if (inFlight == shared) {
                inFlight = null;
            }
            logFailure = failure != null && !failing;
            logRecovery = failure == null && failing;
            failing = failure != null;
            if (failure == null) {
                Duration lifetime = grant.lifetime();
                // counted from when the login was sent: the token cannot be older than that
                cached = new Cached(grant.token(), startedAt.plus(lifetime).minus(refreshEarly(lifetime)));
                failed = null;
            } else {
                failed = new Failed(failure, clock.instant().plus(RETRY_AFTER_FAILURE));
            }
        }
        if (failure != null) {
            if (logFailure) {
                LOG.error("{}; requests from peer sites fail with auth-failed until it works again",
                        failure.getMessage());
            } else {
                LOG.debug("{}", failure.getMessage());
            }
            shared.completeExceptionally(failure);
        } else {
            if (logRecovery) {
                LOG.info("service login ({}) works again", login.describe());
            }
            LOG.debug("service login ({}) succeeded, token valid {} s", login.describe(),
                    grant.lifetime().getSeconds());
            shared.complete(grant.token());
        }
    }

    private AuthFailedException failed(String why, int status, Throwable cause) {
        return new AuthFailedException("service login (" + login.describe() + ") failed: " + why, status, cause);
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
        return "TokenCache[" + login.describe() + "]";
    }
}
