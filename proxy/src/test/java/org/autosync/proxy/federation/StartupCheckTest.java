package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.Test;

/** The topology check runs once at start-up and shows what it found in {@code status}. */
class StartupCheckTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitStartupCheck(AutosyncProxy proxy) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Object c = proxy.federation().status().get().get("startup_check");
            if (c != null) {
                return (Map<String, Object>) c;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no start-up check in status after 20 s");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPeerThatCannotBeReachedAndARealmSwiftDoesNotKnowAreReported() throws Exception {
        try (StubSite cluster = new StubSite()) {
            // this site's Swift knows another realm only
            cluster.answer("GET", r -> "/info".equals(r.getPath())
                    ? new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json")
                            .setBody("{\"container_sync\": {\"realms\": {\"OTHER\": {\"clusters\": {\"A\": {}}}}}}")
                    : new MockResponse().setResponseCode(200));
            URI closed = URI.create("http://127.0.0.1:" + FederationFixture.closedPort());
            try (AutosyncProxy proxy = TestProxy.start(cluster.server.getPort(), s -> s.federation(
                    FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", closed).build()))) {
                Map<String, Object> check = awaitStartupCheck(proxy);
                List<Map<String, Object>> failed = (List<Map<String, Object>>) check.get("failed");
                assertTrue(failed.stream().anyMatch(f -> f.get("what").toString().startsWith("site b")
                        && f.get("what").toString().endsWith("reachable")), failed.toString());
                assertTrue(failed.stream().anyMatch(f -> f.get("what").toString().startsWith("site a")
                        && f.get("what").toString().endsWith("sync realm")), failed.toString());
                assertNotNull(check.get("passed"));
            }
        }
    }
}
