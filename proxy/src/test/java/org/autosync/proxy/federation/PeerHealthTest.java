package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.autosync.placement.Site;
import org.autosync.proxy.config.PeerHealthSettings;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.junit.jupiter.api.Test;

class PeerHealthTest {

    @Test
    void aPeerThatComesBackIsAnnouncedOnceToItsListeners() throws Exception {
        Site b = new Site("b", URI.create("http://127.0.0.1:9"), "b");
        List<String> problems = new CopyOnWriteArrayList<>(List.of("refused", "refused"));
        List<String> back = new CopyOnWriteArrayList<>();
        try (PeerHealth health = new PeerHealth(List.of(b),
                s -> CompletableFuture.completedFuture(problems.isEmpty() ? null : problems.remove(0)),
                new PeerHealthSettings(Duration.ofMillis(100), 2), new ProxyMetrics())) {
            health.onUp(back::add);
            health.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (back.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(300); // more passing checks: no second announcement
            assertEquals(List.of("b"), back, "down after two failures, then up once");
            assertTrue(!health.isDown("b"));
        }
    }
}
