package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

    private static final String KEY = "very-secret-service-key";
    private static final ServiceCredentials CREDS =
            new ServiceCredentials(URI.create("http://swift-a:8080/auth/v1.0"), "autosync:sync", KEY);

    /** Records every login and answers each with a future the test completes. */
    private static final class FakeAuth implements AuthHttp {
        final ConcurrentLinkedQueue<CompletableFuture<AuthResponse>> pending = new ConcurrentLinkedQueue<>();
        final List<Map<String, String>> requests = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<URI> urls = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public CompletableFuture<AuthResponse> send(String method, URI url, Map<String, String> headers,
                                                    byte[] body) {
            assertEquals("GET", method);
            urls.add(url);
            requests.add(headers);
            CompletableFuture<AuthResponse> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        int logins() {
            return requests.size();
        }

        void answer(int status, Map<String, String> headers) {
            pending.remove().complete(AuthResponse.of(status, headers));
        }

        void answerToken(String token, long expiresSeconds) {
            answer(200, Map.of("X-Auth-Token", token, "X-Auth-Token-Expires", Long.toString(expiresSeconds),
                    "X-Storage-Url", "http://swift-a:8080/v1/AUTH_sync"));
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T00:00:00Z"));
    private final FakeAuth auth = new FakeAuth();
    private final TokenCache cache = new TokenCache(CREDS, auth, clock);

    @Test
    void logsInWithTempauthHeaders() throws Exception {
        CompletableFuture<String> t = cache.token();
        assertFalse(t.isDone());
        assertEquals(1, auth.logins());
        assertEquals(CREDS.authUrl(), auth.urls.get(0));
        assertEquals("autosync:sync", auth.requests.get(0).get("X-Auth-User"));
        assertEquals(KEY, auth.requests.get(0).get("X-Auth-Key"));
        auth.answerToken("AUTH_tk1", 3600);
        assertEquals("AUTH_tk1", t.get());
    }

    @Test
    void cachesUntilShortlyBeforeExpiry() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answerToken("AUTH_tk1", 600);
        assertEquals("AUTH_tk1", first.get());

        clock.advance(Duration.ofSeconds(569));
        CompletableFuture<String> cached = cache.token();
        assertTrue(cached.isDone());
        assertEquals("AUTH_tk1", cached.get());
        assertEquals(1, auth.logins());

        clock.advance(Duration.ofSeconds(1)); // 30 s before expiry: refresh
        CompletableFuture<String> refreshed = cache.token();
        assertEquals(2, auth.logins());
        auth.answerToken("AUTH_tk2", 600);
        assertEquals("AUTH_tk2", refreshed.get());
        assertEquals("AUTH_tk2", cache.token().get());
        assertEquals(2, auth.logins());
    }

    @Test
    void missingExpiryMeansOneHour() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answer(200, Map.of("x-auth-token", "AUTH_tk1"));
        assertEquals("AUTH_tk1", first.get());
        clock.advance(Duration.ofMinutes(59));
        assertEquals("AUTH_tk1", cache.token().get());
        assertEquals(1, auth.logins());
        clock.advance(Duration.ofSeconds(31));
        assertFalse(cache.token().isDone());
        assertEquals(2, auth.logins());
    }

    @Test
    void unparsableExpiryMeansOneHour() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answer(200, Map.of("X-Auth-Token", "AUTH_tk1", "X-Auth-Token-Expires", "soon"));
        assertEquals("AUTH_tk1", first.get());
        clock.advance(Duration.ofMinutes(59));
        assertEquals("AUTH_tk1", cache.token().get());
        assertEquals(1, auth.logins());
    }

    @Test
    void shortLivedTokenIsStillReusedBriefly() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answerToken("AUTH_tk1", 20);
        assertEquals("AUTH_tk1", first.get());
        clock.advance(Duration.ofSeconds(9));
        assertEquals("AUTH_tk1", cache.token().get());
        assertEquals(1, auth.logins());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(cache.token().isDone());
        assertEquals(2, auth.logins());
    }

    @Test
    void concurrentCallersShareOneLogin() throws Exception {
        int callers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CompletableFuture<String>>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return cache.token();
                }));
            }
            go.countDown();
            List<CompletableFuture<String>> tokens = new ArrayList<>();
            for (Future<CompletableFuture<String>> call : calls) {
                tokens.add(call.get(5, TimeUnit.SECONDS));
            }
            assertEquals(1, auth.logins());
            tokens.forEach(t -> assertFalse(t.isDone()));
            auth.answerToken("AUTH_shared", 3600);
            for (CompletableFuture<String> t : tokens) {
                assertEquals("AUTH_shared", t.get(5, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancellingOneCallerDoesNotAffectOthers() throws Exception {
        CompletableFuture<String> one = cache.token();
        CompletableFuture<String> two = cache.token();
        one.cancel(false);
        auth.answerToken("AUTH_tk1", 3600);
        assertEquals("AUTH_tk1", two.get());
        assertEquals("AUTH_tk1", cache.token().get());
    }

    @Test
    void invalidateDropsMatchingToken() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answerToken("AUTH_tk1", 3600);
        assertEquals("AUTH_tk1", first.get());
        cache.invalidate("AUTH_tk1");
        CompletableFuture<String> next = cache.token();
        assertEquals(2, auth.logins());
        auth.answerToken("AUTH_tk2", 3600);
        assertEquals("AUTH_tk2", next.get());
    }

    @Test
    void invalidateIgnoresOtherToken() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answerToken("AUTH_tk2", 3600);
        assertEquals("AUTH_tk2", first.get());
        cache.invalidate("AUTH_tk1"); // a late 401 for an older token
        assertEquals("AUTH_tk2", cache.token().get());
        assertEquals(1, auth.logins());
    }

    @Test
    void invalidateWithNothingCachedIsHarmless() throws Exception {
        cache.invalidate("AUTH_tk1");
        CompletableFuture<String> t = cache.token();
        cache.invalidate("AUTH_tk1");
        auth.answerToken("AUTH_tk1", 3600);
        assertEquals("AUTH_tk1", t.get());
    }

    @Test
    void non2xxFailsWithAuthFailedWithoutKey() {
        CompletableFuture<String> t = cache.token();
        auth.answer(401, Map.of());
        ExecutionException e = assertThrows(ExecutionException.class, t::get);
        AuthFailedException failure = assertInstanceOf(AuthFailedException.class, e.getCause());
        assertEquals("service login (tempauth http://swift-a:8080/auth/v1.0 as autosync:sync) failed: HTTP 401",
                failure.getMessage());
        assertEquals(401, failure.status());
        assertFalse(failure.getMessage().contains(KEY));
    }

    @Test
    void dependentsSeeTheAuthFailedExceptionItself() throws Exception {
        CompletableFuture<Throwable> seen = cache.token().handle((token, error) -> error);
        auth.answer(403, Map.of());
        assertInstanceOf(AuthFailedException.class, seen.get());
    }

    @Test
    void failureIsRememberedBrieflyThenRetried() throws Exception {
        CompletableFuture<String> first = cache.token();
        auth.answer(500, Map.of());
        assertTrue(first.isCompletedExceptionally());
        CompletableFuture<String> burst = cache.token();
        assertTrue(burst.isCompletedExceptionally(), "a burst right after a failure must not log in again");
        assertEquals(1, auth.logins());
        clock.advance(TokenCache.RETRY_AFTER_FAILURE.plusMillis(1));
        CompletableFuture<String> second = cache.token();
        assertEquals(2, auth.logins());
        auth.answerToken("AUTH_tk1", 3600);
        assertEquals("AUTH_tk1", second.get());
    }

    @Test
    void successWithoutTokenFails() {
        CompletableFuture<String> t = cache.token();
        auth.answer(200, Map.of());
        ExecutionException e = assertThrows(ExecutionException.class, t::get);
        assertInstanceOf(AuthFailedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no X-Auth-Token"), e.getCause().getMessage());
    }

    @Test
    void transportFailureBecomesAuthFailed() {
        CompletableFuture<String> t = cache.token();
        IOException refused = new IOException("Connection refused");
        auth.pending.remove().completeExceptionally(refused);
        ExecutionException e = assertThrows(ExecutionException.class, t::get);
        AuthFailedException failure = assertInstanceOf(AuthFailedException.class, e.getCause());
        assertSame(refused, failure.getCause());
        assertEquals(0, failure.status());
        assertTrue(failure.getMessage().startsWith("service login (tempauth http://swift-a:8080/auth/v1.0 as autosync:sync)"
                + " failed: IOException: Connection refused"), failure.getMessage());
        assertFalse(failure.getMessage().contains(KEY));
    }

    @Test
    void synchronousThrowFromHttpBecomesAuthFailed() throws Exception {
        AuthHttp throwing = (method, url, headers, body) -> {
            throw new IllegalStateException("client closed");
        };
        TokenCache c = new TokenCache(CREDS, throwing, clock);
        ExecutionException e = assertThrows(ExecutionException.class, () -> c.token().get(5, TimeUnit.SECONDS));
        assertInstanceOf(AuthFailedException.class, e.getCause());
    }

    @Test
    void alreadyCompletedResponseWorks() throws Exception {
        AuthHttp instant = (method, url, headers, body) -> CompletableFuture.completedFuture(
                AuthResponse.of(200, Map.of("X-Auth-Token", "AUTH_now")));
        TokenCache c = new TokenCache(CREDS, instant, clock);
        assertEquals("AUTH_now", c.token().get(5, TimeUnit.SECONDS));
        assertTrue(c.token().isDone());
    }

    @Test
    void toStringHidesKey() {
        assertFalse(cache.toString().contains(KEY), cache.toString());
    }
}
