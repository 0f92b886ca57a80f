package org.autosync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NonceCacheTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T00:00:00Z"));

    @Test
    void firstSeenOnce() {
        NonceCache cache = new NonceCache(Duration.ofSeconds(60), 100, clock::nanos);
        assertTrue(cache.firstSeen("a", "n1"));
        assertFalse(cache.firstSeen("a", "n1"));
        assertTrue(cache.firstSeen("a", "n2"));
        assertTrue(cache.firstSeen("b", "n1"));
    }

    @Test
    void rememberedForTwiceTheSkewPlusTheSecondTimestampsAreRoundedTo() {
        NonceCache cache = new NonceCache(Duration.ofSeconds(60), 100, clock::nanos);
        assertEquals(Duration.ofSeconds(121), cache.retention());
        assertTrue(cache.firstSeen("a", "n1"));
        clock.advance(Duration.ofSeconds(120));
        assertFalse(cache.firstSeen("a", "n1"));
        clock.advance(Duration.ofSeconds(2));
        assertTrue(cache.firstSeen("a", "n1"));
    }

    @Test
    void siteAndNonceCannotBeConfusedBySplitting() {
        NonceCache cache = new NonceCache(Duration.ofSeconds(60), 100, clock::nanos);
        assertTrue(cache.firstSeen("ab", "c"));
        assertTrue(cache.firstSeen("a", "bc"));
    }

    @Test
    void boundedSize() {
        NonceCache cache = new NonceCache(Duration.ofSeconds(60), 50, clock::nanos);
        for (int i = 0; i < 1000; i++) {
            cache.firstSeen("a", "n" + i);
        }
        assertTrue(cache.estimatedSize() <= 50, "size " + cache.estimatedSize());
    }

    @Test
    void defaultHoldsAThousandRequestsPerSecondForTheWholeWindow() {
        NonceCache cache = new NonceCache();
        assertEquals(Duration.ofSeconds(121), cache.retention());
        assertTrue(cache.maxEntries() >= 1000L * 120, "maxEntries " + cache.maxEntries());
    }

    @Test
    void atomicUnderConcurrency() throws Exception {
        NonceCache cache = new NonceCache(Duration.ofSeconds(60), 10_000, clock::nanos);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(() -> {
                    go.await();
                    int wins = 0;
                    for (int i = 0; i < 500; i++) {
                        if (cache.firstSeen("a", "n" + i)) {
                            wins++;
                        }
                    }
                    return wins;
                });
            }
            List<Future<Integer>> futures = new ArrayList<>();
            for (Callable<Integer> task : tasks) {
                futures.add(pool.submit(task));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            assertEquals(500, total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(Duration.ofSeconds(60), 0));
    }
}
