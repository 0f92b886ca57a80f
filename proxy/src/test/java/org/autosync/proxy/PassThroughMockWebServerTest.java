package org.autosync.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.autosync.proxy.testing.RawClient;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pass-through against a well-behaved HTTP backend (MockWebServer) standing in for Swift. */
class PassThroughMockWebServerTest {
    private MockWebServer swift;

    @BeforeEach
    void startBackend() throws IOException {
        swift = new MockWebServer();
        swift.start();
    }

    @AfterEach
    void stopBackend() throws IOException {
        swift.shutdown();
    }

    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest r = swift.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull(r, "the request reached the backend");
        return r;
    }

    /** A response head plus its body, read by Content-Length (no body for 204/304/HEAD). */
    private record Reply(RawClient.Head head, String body) {
    }

    private static Reply read(RawClient client) throws IOException {
        return read(client, false);
    }

    private static Reply read(RawClient client, boolean bodyless) throws IOException {
        RawClient.Head h = client.readHead();
        String len = h.header("Content-Length");
        assertNull(h.header("Transfer-Encoding"), "the backend framed with Content-Length: " + h);
        byte[] body = bodyless || len == null ? new byte[0] : client.readExactly(Integer.parseInt(len));
        return new Reply(h, new String(body, StandardCharsets.UTF_8));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: swift.example\r\n\r\n";
    }

    // ------------------------------------------------------------------ headers

    @Test
    void hopByHopRequestHeadersAreDroppedAndEndToEndOnesForwardedUnchanged() throws Exception {
        swift.enqueue(new MockResponse().setBody("ok"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\n"
                    + "Host: swift.example\r\n"
                    + "Connection: X-Foo\r\n"
                    + "X-Foo: secret-for-this-hop\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
                    + "X-Auth-Token: AUTH_tk0123456789\r\n"
                    + "X-Object-Meta-Color: Blue, Green\r\n"
                    + "If-None-Match: \"abc\"\r\n"
                    + "\r\n");
            assertEquals("ok", read(client).body());
            RecordedRequest r = taken();
            for (String hop : List.of("Connection", "X-Foo", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization")) {
                assertNull(r.getHeader(hop), hop + " must not reach the backend: " + r.getHeaders());
            }
            assertEquals("AUTH_tk0123456789", r.getHeader("X-Auth-Token"));
            assertEquals("Blue, Green", r.getHeader("X-Object-Meta-Color"));
            assertEquals("\"abc\"", r.getHeader("If-None-Match"));
            assertEquals("GET /v1/AUTH_test/c/o HTTP/1.1", r.getRequestLine());
        }
    }

    @Test
    void hopByHopResponseHeadersAreStrippedAndEndToEndOnesReachTheClientUnchanged() throws Exception {
        swift.enqueue(new MockResponse().setBody("hello")
                .addHeader("ETag", "\"5d41402abc4b2a76b9719d911017c592\"")
                .addHeader("X-Object-Meta-Color", "Blue, Green")
                .addHeader("X-Trans-Id", "tx0123-abc")
                .addHeader("Content-Type", "text/plain")
                .addHeader("Connection", "X-Bar")
                .addHeader("X-Bar", "for-this-hop")
                .addHeader("Keep-Alive", "timeout=5")
                .addHeader("Proxy-Authenticate", "Basic realm=swift")
                .addHeader("Upgrade", "h2c"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send(get("/v1/AUTH_test/c/o"));
            Reply reply = read(client);
            RawClient.Head h = reply.head();
            assertEquals(200, h.status());
            assertEquals("hello", reply.body());
            for (String hop : List.of("Connection", "X-Bar", "Keep-Alive", "Proxy-Authenticate", "Upgrade")) {
                assertNull(h.header(hop), hop + " must not reach the client: " + h.headers());
            }
            assertEquals("\"5d41402abc4b2a76b9719d911017c592\"", h.header("ETag"));
            assertEquals("Blue, Green", h.header("X-Object-Meta-Color"));
            assertEquals("tx0123-abc", h.header("X-Trans-Id"));
            assertEquals("text/plain", h.header("Content-Type"));
            assertEquals("5", h.header("Content-Length"));
        }
    }

    @Test
    void hostIsForwardedExactlyAsTheClientSentIt() throws Exception {
        swift.enqueue(new MockResponse());
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send("HEAD /info HTTP/1.1\r\nHost: Swift.Example.COM:8080\r\n\r\n");
            read(client, true);
            assertEquals(List.of("Swift.Example.COM:8080"), taken().getHeaders().values("Host"),
                    "not rewritten to the cluster's address");
        }
    }

    @Test
    void xForwardedForGetsTheClientAddressAppendedAndProtoIsHttp() throws Exception {
        swift.enqueue(new MockResponse());
        swift.enqueue(new MockResponse());
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            String clientIp = client.socket.getLocalAddress().getHostAddress();
            client.send("GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7, 198.51.100.2\r\n\r\n");
            read(client);
            RecordedRequest first = taken();
            assertEquals("203.0.113.7, 198.51.100.2, " + clientIp, first.getHeader("X-Forwarded-For"));
            assertEquals("http", first.getHeader("X-Forwarded-Proto"));

            client.send(get("/b"));
            read(client);
            RecordedRequest second = taken();
            assertEquals(clientIp, second.getHeader("X-Forwarded-For"));
            assertEquals(List.of("http"), second.getHeaders().values("X-Forwarded-Proto"));
        }
    }

    @Test
    void xForwardedForSpreadOverSeveralFieldsKeepsEveryHop() throws Exception {
        swift.enqueue(new MockResponse());
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            String clientIp = client.socket.getLocalAddress().getHostAddress();
            client.send("GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Forwarded-For: 198.51.100.2\r\n\r\n");
            read(client);
            String xff = String.join(", ", taken().getHeaders().values("X-Forwarded-For"));
            assertEquals("203.0.113.7, 198.51.100.2, " + clientIp, xff);
        }
    }

    // ------------------------------------------------------------------ upstream keep-alive

    @Test
    void sequentialRequestsOnOneClientConnectionReuseOneUpstreamConnection() throws Exception {
        swift.enqueue(new MockResponse().setBody("one"));
        swift.enqueue(new MockResponse().setBody("two"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send(get("/one"));
            assertEquals("one", read(client).body());
            client.send(get("/two"));
            assertEquals("two", read(client).body());
            assertEquals(0, taken().getSequenceNumber());
            assertEquals(1, taken().getSequenceNumber(), "the second request rode the same upstream connection");
            assertEquals(1.0, counter(proxy, "autosync.upstream.connects"));
        }
    }

    @Test
    void requestsFromTwoClientConnectionsOnOneEventLoopShareTheUpstreamConnection() throws Exception {
        swift.enqueue(new MockResponse().setBody("one"));
        swift.enqueue(new MockResponse().setBody("two"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort(), b -> b.eventLoopThreads(1))) {
            try (RawClient first = new RawClient(proxy.port())) {
                first.send(get("/one"));
                assertEquals("one", read(first).body());
            }
            try (RawClient second = new RawClient(proxy.port())) {
                second.send(get("/two"));
                assertEquals("two", read(second).body());
            }
            assertEquals(0, taken().getSequenceNumber());
            assertEquals(1, taken().getSequenceNumber(), "pooled per event loop, not per client connection");
        }
    }

    @Test
    void upstreamConnectionAnsweringConnectionCloseIsNotReused() throws Exception {
        swift.enqueue(new MockResponse().setBody("one").setHeader("Connection", "close")
                .setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        swift.enqueue(new MockResponse().setBody("two"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send(get("/one"));
            Reply one = read(client);
            assertEquals("one", one.body());
            assertNull(one.head().header("Connection"), "the backend's close is for its own hop");
            client.send(get("/two"));
            assertEquals("two", read(client).body(), "the client connection stays usable");
            assertEquals(0, taken().getSequenceNumber());
            assertEquals(0, taken().getSequenceNumber(), "a new upstream connection for the second request");
            assertEquals(2.0, counter(proxy, "autosync.upstream.connects"));
        }
    }

    // ------------------------------------------------------------------ bodies

    @Test
    void noContentAndNotModifiedCarryNoBodyAndTheClientConnectionStaysUsable() throws Exception {
        swift.enqueue(new MockResponse().setResponseCode(204).setHeader("X-Trans-Id", "tx204"));
        swift.enqueue(new MockResponse().setResponseCode(304).setHeader("ETag", "\"v1\"")
                .setHeader("Content-Length", "5")); // the length of the representation, no body follows
        swift.enqueue(new MockResponse().setBody("after"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send("DELETE /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Head noContent = client.readHead();
            assertEquals(204, noContent.status());
            assertEquals("tx204", noContent.header("X-Trans-Id"));

            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"v1\"\r\n\r\n");
            RawClient.Head notModified = client.readHead();
            assertEquals(304, notModified.status(), "no body bytes from the 204 precede this head");
            assertEquals("\"v1\"", notModified.header("ETag"));

            client.send(get("/v1/AUTH_test/c/o"));
            Reply after = read(client);
            assertEquals(200, after.head().status(), "no body bytes from the 304 precede this head");
            assertEquals("after", after.body());
            assertEquals(3, swift.getRequestCount());
        }
    }

    @Test
    void contentLengthUploadArrivesByteExact() throws Exception {
        byte[] body = new byte[300_000];
        new Random(42).nextBytes(body);
        swift.enqueue(new MockResponse().setResponseCode(201));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length
                    + "\r\nContent-Type: application/octet-stream\r\n\r\n");
            client.send(body);
            assertEquals(201, read(client).head().status());
            RecordedRequest r = taken();
            assertEquals(String.valueOf(body.length), r.getHeader("Content-Length"));
            assertNull(r.getHeader("Transfer-Encoding"));
            assertArrayEquals(body, r.getBody().readByteArray());
        }
    }

    @Test
    void chunkedUploadArrivesByteExact() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        swift.enqueue(new MockResponse().setResponseCode(201));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int size : new int[] {1, 1000, 65_536, 7, 100_000}) {
                byte[] chunk = new byte[size];
                random.nextBytes(chunk);
                expected.write(chunk);
                client.send(Integer.toHexString(size) + "\r\n");
                client.send(chunk);
                client.send("\r\n");
            }
            client.send("0\r\n\r\n");
            assertEquals(201, read(client).head().status());
            RecordedRequest r = taken();
            assertEquals("chunked", r.getHeader("Transfer-Encoding"));
            assertNull(r.getHeader("Content-Length"));
            assertArrayEquals(expected.toByteArray(), r.getBody().readByteArray());
        }
    }

    // ------------------------------------------------------------------ metrics

    @Test
    void requestAndByteCountersMoveWithTraffic() throws Exception {
        swift.enqueue(new MockResponse().setBody("0123456789"));
        swift.enqueue(new MockResponse().setResponseCode(201));
        swift.enqueue(new MockResponse().setResponseCode(404).setBody("Not Found"));
        try (AutosyncProxy proxy = TestProxy.start(swift.getPort());
             RawClient client = new RawClient(proxy.port())) {
            client.send(get("/v1/AUTH_test/c/o"));
            read(client);
            client.send("PUT /v1/AUTH_test/c/p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd");
            read(client);
            client.send(get("/v1/AUTH_test/c/missing"));
            read(client);

            awaitValue(1.0, () -> requests(proxy, "GET", "4xx"));
            assertEquals(1.0, requests(proxy, "GET", "2xx"));
            assertEquals(1.0, requests(proxy, "PUT", "2xx"));
            assertEquals(0.0, requests(proxy, "PUT", "4xx"));
            assertEquals(0.0, requests(proxy, "HEAD", "2xx"));
            assertEquals(4.0, counter(proxy, "autosync.client.bytes.received"));
            assertEquals(10.0 + "Not Found".length(), counter(proxy, "autosync.client.bytes.sent"));
            assertEquals(3L, proxy.metrics().registry().get("autosync.upstream.latency").timer().count());
            String scrape = proxy.metrics().scrape();
            assertTrue(scrape.contains("autosync_requests_total{method=\"PUT\",status=\"2xx\"} 1.0"), scrape);
        }
    }

    private static double requests(AutosyncProxy proxy, String method, String statusClass) {
        return proxy.metrics().registry().get("autosync.requests")
                .tag("method", method).tag("status", statusClass).functionCounter().count();
    }

    private static double counter(AutosyncProxy proxy, String name) {
        MeterRegistry r = proxy.metrics().registry();
        return r.get(name).meter().measure().iterator().next().getValue(); // a counter or a function counter
    }

    /** Counters are bumped on the event loop just after the last byte goes out; wait for that. */
    private static void awaitValue(double expected, DoubleSupplier actual) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (actual.getAsDouble() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, actual.getAsDouble());
        assertFalse(Double.isNaN(expected));
    }
}
