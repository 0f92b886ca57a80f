package org.autosync.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin port of a real proxy, in front of a MockWebServer standing in for the Swift cluster. */
class AdminRequestHandlerTest {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private MockWebServer cluster;
    private volatile int healthStatus = 200;

    @BeforeEach
    void startCluster() throws IOException {
        cluster = new MockWebServer();
        cluster.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if ("/healthcheck".equals(request.getPath())) {
                    return new MockResponse().setResponseCode(healthStatus).setBody(healthStatus == 200 ? "OK" : "ERROR");
                }
                return new MockResponse().setResponseCode(404);
            }
        });
        cluster.start();
    }

    @AfterEach
    void stopCluster() throws IOException {
        cluster.shutdown();
    }

    private HttpResponse<String> get(AutosyncProxy proxy, String path) throws Exception {
        return send(proxy, HttpRequest.newBuilder(adminUri(proxy, path)).GET());
    }

    private HttpResponse<String> send(AutosyncProxy proxy, HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI adminUri(AutosyncProxy proxy, String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminPort() + path);
    }

    @Test
    void metricsIsPrometheusTextWithTheProxyMeters() throws Exception {
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            HttpResponse<String> r = get(proxy, "/metrics");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                    r.headers().toString());
            String body = r.body();
            for (String name : new String[] {
                "autosync_requests_total{method=\"GET\",status=\"2xx\"}",
                "autosync_client_connections_open",
                "autosync_client_queued_bytes",
                "autosync_upstream_latency_seconds_bucket",
                "autosync_upstream_pool_connections{state=\"idle\"}",
                "autosync_upstream_pool_connections{state=\"active\"}",
                "autosync_client_bytes_received_bytes_total", // the names README lists
                "autosync_client_bytes_sent_bytes_total",
                "autosync_upstream_errors_total",
            }) {
                assertTrue(body.contains(name), name + " missing from:\n" + body);
            }
            assertTrue(body.contains("# TYPE autosync_requests_total counter"), body);
        }
    }

    @Test
    void metricsAnswersHeadWithoutABody() throws Exception {
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            HttpResponse<String> r = send(proxy, HttpRequest.newBuilder(adminUri(proxy, "/metrics"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, r.statusCode());
            assertEquals("", r.body());
        }
    }

    @Test
    void healthcheckIsOkWhenTheClusterIsHealthy() throws Exception {
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            HttpResponse<String> r = get(proxy, "/healthcheck");
            assertEquals(200, r.statusCode());
            assertEquals("OK", r.body());
            assertEquals("/healthcheck", cluster.takeRequest().getPath(), "the cluster's own healthcheck is asked");
        }
    }

    @Test
    void healthcheckIs503WhenTheClusterAnswers500() throws Exception {
        healthStatus = 500;
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            HttpResponse<String> r = get(proxy, "/healthcheck");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("answered 500"), r.body());
        }
    }

    @Test
    void healthcheckIs503WhenTheClusterIsDown() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (AutosyncProxy proxy = TestProxy.start(deadPort)) {
            HttpResponse<String> r = get(proxy, "/healthcheck");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("unreachable"), r.body());
        }
    }

    @Test
    void healthcheckFollowsTheClusterFromUpToDown() throws Exception {
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            assertEquals(200, get(proxy, "/healthcheck").statusCode());
            healthStatus = 500;
            assertEquals(503, get(proxy, "/healthcheck").statusCode(), "not cached");
        }
    }

    @Test
    void unknownPathIs404() throws Exception {
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            HttpResponse<String> r = get(proxy, "/v1/AUTH_test");
            assertEquals(404, r.statusCode());
            assertTrue(r.body().contains("/healthcheck"), r.body());
            assertEquals(0, cluster.getRequestCount(), "the admin port never proxies");
        }
    }

    @Test
    void postIs405AndTheConnectionStaysUsable() throws Exception {
        try (AutosyncProxy proxy = TestProxy.start(cluster.getPort())) {
            HttpResponse<String> r = send(proxy, HttpRequest.newBuilder(adminUri(proxy, "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x=1")));
            assertEquals(405, r.statusCode());
            assertEquals(200, get(proxy, "/metrics").statusCode());
        }
    }
}
