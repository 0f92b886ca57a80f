package org.autosync.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.testing.RawBackend;
import org.autosync.proxy.testing.RawClient;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

/** The proxy in-process against backends and clients that misbehave on purpose. */
class PassThroughRawTest {
    private static final String OK_EMPTY = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";

    @Test
    void clientClosingMidUploadWithContentLengthAbortsUpstreamWithoutCompletingTheBody() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.readUntilClose(1 << 20);
        }); AutosyncProxy proxy = TestProxy.start(backend.port())) {
            try (RawClient client = new RawClient(proxy.port())) {
                client.send("PUT /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
                client.send(new byte[30_000]);
                Thread.sleep(200);
            } // closed with 70000 bytes missing
            RawBackend.Conn conn = backend.nextFinished(5, TimeUnit.SECONDS);
            String seen = conn.seen();
            int bodyStart = seen.indexOf("\r\n\r\n") + 4;
            assertEquals(30_000, seen.length() - bodyStart, "only what the client sent reaches upstream");
        }
    }

    @Test
    void clientClosingMidChunkedUploadNeverSendsTheTerminatingChunk() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.readUntilClose(1 << 20);
        }); AutosyncProxy proxy = TestProxy.start(backend.port())) {
            try (RawClient client = new RawClient(proxy.port())) {
                client.send("PUT /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
                client.send("5\r\nhello\r\n");
                Thread.sleep(200);
            }
            String seen = backend.nextFinished(5, TimeUnit.SECONDS).seen();
            assertTrue(seen.contains("hello"), seen);
            assertFalse(seen.contains("0\r\n\r\n"), "a truncated body must not be terminated: " + seen);
        }
    }

    @Test
    void backendClosingAChunkedResponseEarlyClosesTheClientWithoutATerminatingChunk() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            Thread.sleep(100);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Head head = client.readHead();
            assertEquals(200, head.status());
            String rest = new String(client.readToClose(), StandardCharsets.ISO_8859_1);
            assertTrue(rest.contains("hello"), rest);
            assertFalse(rest.contains("0\r\n\r\n"), "the client must see a broken response: " + rest);
        }
    }

    @Test
    void backendClosingAContentLengthResponseEarlyClosesTheClient() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(300));
            Thread.sleep(100);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("1000", client.readHead().header("Content-Length"));
            assertEquals(300, client.readToClose().length);
        }
    }

    @Test
    void expectContinueWithEarly401IsRelayedWithoutA100AndTheBodyNeverSent() throws Exception {
        assertEarlyAnswerToExpect("HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauthorized", 401);
    }

    @Test
    void expectContinueWithEarly404IsRelayedWithoutA100() throws Exception {
        assertEarlyAnswerToExpect("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found", 404);
    }

    private void assertEarlyAnswerToExpect(String answer, int status) throws Exception {
        AtomicReference<String> head = new AtomicReference<>();
        try (RawBackend backend = new RawBackend(c -> {
            head.set(c.readHead());
            c.write(answer);
            c.readUntilClose(1 << 16);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Head h = client.readHead();
            assertEquals(status, h.status(), "no 100 before the final answer: " + h.statusLine());
            assertEquals("close", h.header("Connection"));
            assertTrue(head.get().toLowerCase().contains("expect: 100-continue"), head.get());
            client.readExactly(Integer.parseInt(h.header("Content-Length")));
            assertTrue(client.closedWithin(2000), "the connection closes: the body was never read");
            String seen = backend.nextFinished(5, TimeUnit.SECONDS).seen();
            assertEquals(head.get(), seen, "nothing after the head reached the backend");
        }
    }

    @Test
    void expectContinueRelaysExactlyOne100ThenTheFinalAnswer() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 100 Continue\r\n\r\n");
            byte[] body = c.readExactly(5);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), body);
            c.write(OK_EMPTY);
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /o HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, client.readHead().status());
            client.send("hello");
            RawClient.Head h = client.readHead();
            assertEquals(201, h.status());
            assertNull(h.header("Connection"));
        }
    }

    @Test
    void aSecond100FromTheBackendIsNotRelayed() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 100 Continue\r\n\r\n");
            c.readExactly(5);
            c.write("HTTP/1.1 100 Continue\r\n\r\n" + OK_EMPTY);
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /o HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, client.readHead().status());
            client.send("hello");
            assertEquals(201, client.readHead().status());
        }
    }

    @Test
    void chunkedResponseToHttp10ClientIsSentRawAndEndsWithClose() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /o HTTP/1.0\r\nHost: x\r\n\r\n");
            RawClient.Head h = client.readHead();
            assertEquals(200, h.status());
            assertNull(h.header("Transfer-Encoding"), "HTTP/1.0 has no chunked coding");
            assertEquals("hello world", new String(client.readToClose(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void headResponseKeepsContentLengthSendsNoBodyAndKeepsTheConnection() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nEtag: abc\r\n\r\n");
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("HEAD /o HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Head h = client.readHead();
            assertEquals("1234", h.header("Content-Length"));
            client.send("GET /o HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Head next = client.readHead();
            assertEquals(200, next.status(), "the HEAD sent no body, so the next response parses");
            assertEquals("ok", new String(client.readExactly(2), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void backendDownAnswers502WithAOneLineBody() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (AutosyncProxy proxy = TestProxy.start(deadPort); RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Head h = client.readHead();
            assertEquals(502, h.status());
            String body = new String(client.readExactly(Integer.parseInt(h.header("Content-Length"))),
                    StandardCharsets.UTF_8);
            assertTrue(body.startsWith("autosync: cannot reach the local Swift cluster"), body);
            assertEquals(1, body.split("\n").length);
        }
    }

    @Test
    void silentBackendAnswers504AfterTheResponseHeaderTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            release.await(10, TimeUnit.SECONDS);
        }); AutosyncProxy proxy = TestProxy.start(backend.port(),
                b -> b.responseHeaderTimeout(Duration.ofMillis(300)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /o HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Head h = client.readHead();
            assertEquals(504, h.status());
            assertTrue(new String(client.readExactly(Integer.parseInt(h.header("Content-Length"))),
                    StandardCharsets.UTF_8).contains("did not answer"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void stalledUploadIsAbortedAfterTheIdleTimeoutAndNeverCompleted() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.readUntilClose(1 << 16);
        }); AutosyncProxy proxy = TestProxy.start(backend.port(), b -> b.idleTimeout(Duration.ofMillis(400)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /o HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
            RawClient.Head h = client.readHead();
            assertEquals(408, h.status());
            String seen = backend.nextFinished(5, TimeUnit.SECONDS).seen();
            assertTrue(seen.endsWith("abc"), "upstream got only the partial body, then a close: " + seen);
        }
    }

    @Test
    void aSlowDownloadThatKeepsMovingOutlivesManyIdleTimeouts() throws Exception {
        int size = 24 << 20; // far more than the socket buffers between proxy and client hold
        byte[] chunk = new byte[1 << 16];
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
            for (int sent = 0; sent < size; sent += chunk.length) {
                c.out.write(chunk);
            }
            c.out.flush();
        }); AutosyncProxy proxy = TestProxy.start(backend.port(), b -> b.idleTimeout(Duration.ofMillis(300)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/big HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            long start = System.nanoTime();
            int got = 0;
            while (got < size) {
                got += client.readExactly(Math.min(1 << 20, size - got)).length;
                Thread.sleep(100); // about 2.4 s in all: eight idle timeouts
            }
            assertTrue(System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(1200),
                    "the download must span several idle timeouts to mean anything");
            assertEquals(size, got);
        }
    }

    @Test
    void aKeepAliveConnectionsIdleTimeStartsWhenItsLastResponseEnds() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
            for (int i = 0; i < 10; i++) {
                Thread.sleep(250); // a response that takes 2.5 s, longer than two idle timeouts
                c.write("x");
            }
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            c.readUntilClose(1);
        }); AutosyncProxy proxy = TestProxy.start(backend.port(), b -> b.idleTimeout(Duration.ofMillis(1000)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            assertEquals("xxxxxxxxxx", new String(client.readExactly(10), StandardCharsets.US_ASCII));
            // 3.2 s after the last request, 0.7 s after the response: idle for less than the timeout
            Thread.sleep(700);
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            assertEquals("ok", new String(client.readExactly(2), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aDownloadTheClientStopsReadingIsAbortedWithinTwoIdleTimeouts() throws Exception {
        CountDownLatch upstreamAborted = new CountDownLatch(1);
        byte[] chunk = new byte[1 << 16];
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + (1L << 32) + "\r\n\r\n");
            try {
                while (true) {
                    c.out.write(chunk); // blocks once every buffer on the way is full
                }
            } catch (java.io.IOException closedByTheProxy) {
                upstreamAborted.countDown();
            }
        }); AutosyncProxy proxy = TestProxy.start(backend.port(), b -> b.idleTimeout(Duration.ofMillis(300)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/huge HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            // the client reads no further
            assertTrue(upstreamAborted.await(3, TimeUnit.SECONDS), "the stalled response is given up upstream");
        }
    }

    @Test
    void aDownloadTheClientDoesNotReadHoldsAtMostTheHighWaterMarkPlusOneRead() throws Exception {
        long body = 256L << 20; // far more than every socket buffer on the way can take
        byte[] chunk = new byte[1 << 16];
        AtomicLong written = new AtomicLong();
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + body + "\r\n\r\n");
            try {
                while (written.get() < body) {
                    c.out.write(chunk); // blocks once every buffer on the way is full
                    written.addAndGet(chunk.length);
                }
            } catch (java.io.IOException closedByTheProxy) {
                // the test is over
            }
        }); AutosyncProxy proxy = TestProxy.start(backend.port(), b -> b.idleTimeout(Duration.ofSeconds(60)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/huge HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            // the client reads no further: wait until the backend can write no more
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long seen = -1;
            while (written.get() != seen && System.nanoTime() < deadline) {
                seen = written.get();
                Thread.sleep(500);
            }
            assertTrue(written.get() < body, "the backend was read to the end: nothing held it back");
            double queued = proxy.metrics().registry().get("autosync.client.queued").gauge().value();
            assertTrue(queued > 0, "the proxy read from the backend at all");
            assertTrue(queued <= Transport.HIGH_WATER + Transport.MAX_READ,
                    "queued for the client: " + queued + " bytes");
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            c.readUntilClose(1);
        }); AutosyncProxy proxy = TestProxy.start(backend.port(), b -> b.idleTimeout(Duration.ofMillis(300)));
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            assertEquals("ok", new String(client.readExactly(2), StandardCharsets.US_ASCII));
            assertFalse(client.closedWithin(100), "kept alive at first");
            assertTrue(client.closedWithin(2000), "closed once idle");
        }
    }

    @Test
    void oversizedHeadersAnswer431AndLongUrlAnswers414AndGarbageAnswers400() throws Exception {
        try (RawBackend backend = new RawBackend(c -> c.readUntilClose(1));
             AutosyncProxy proxy = TestProxy.start(backend.port(),
                     b -> b.maxHeaderSize(2048).maxInitialLine(1024))) {
            try (RawClient client = new RawClient(proxy.port())) {
                client.send("GET /o HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(4000) + "\r\n\r\n");
                assertRejected(client, 431, "headers too large");
            }
            try (RawClient client = new RawClient(proxy.port())) {
                client.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertRejected(client, 414, "request line too long");
            }
            try (RawClient client = new RawClient(proxy.port())) {
                client.send("GET /o HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n");
                assertRejected(client, 400, "malformed request");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "PUT /v1/AUTH_t/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /v1/AUTH_t/smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            "PUT /v1/AUTH_t/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n"
                    + "GET /v1/AUTH_t/smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            "PUT /v1/AUTH_t/c HTTP/1.1\r\nHost: x\r\nX-Container-Meta-A: 1\r\n X-Container-Sync-To: //x\r\n\r\n",
            "PUT /v1/AUTH_t/c HTTP/1.1\r\nHost: x\r\nX-Container-Meta-A: 1\rX-Container-Sync-To: //x\r\n\r\n",
            "PUT /v1/AUTH_t/c/o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"})
    void ambiguousFramingAnswers400AndCloseAndNothingReachesTheCluster(String request) throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (RawBackend backend = new RawBackend(c -> {
            connections.incrementAndGet();
            c.readUntilClose(1 << 16);
        });
             AutosyncProxy proxy = TestProxy.start(backend.port())) {
            try (RawClient client = new RawClient(proxy.port())) {
                client.send(request);
                assertRejected(client, 400, "malformed request");
            }
            Thread.sleep(200); // a connection the proxy opened would have been accepted by now
            assertEquals(0, connections.get(), "the cluster must not see the request");
        }
    }

    private static void assertRejected(RawClient client, int status, String why) throws Exception {
        RawClient.Head h = client.readHead();
        assertEquals(status, h.status());
        assertEquals("close", h.header("Connection"));
        String body = new String(client.readExactly(Integer.parseInt(h.header("Content-Length"))),
                StandardCharsets.UTF_8);
        assertTrue(body.contains(why), body);
        assertTrue(client.closedWithin(2000), "the proxy closes after rejecting");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOverOneUpstreamConnection() throws Exception {
        try (RawBackend backend = new RawBackend(c -> {
            for (int i = 1; i <= 3; i++) {
                String head = c.readHead();
                String name = head.split(" ")[1];
                c.write("HTTP/1.1 200 OK\r\nContent-Length: " + name.length() + "\r\n\r\n" + name);
            }
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /three HTTP/1.1\r\nHost: x\r\n\r\n");
            for (String expected : new String[] {"/one", "/two", "/three"}) {
                RawClient.Head h = client.readHead();
                assertEquals(expected, new String(client.readExactly(Integer.parseInt(h.header("Content-Length"))),
                        StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void rawNonAsciiPathBytesReachTheClusterAsTheSameNameNotEncodedTwice() throws Exception {
        AtomicReference<String> head = new AtomicReference<>();
        try (RawBackend backend = new RawBackend(c -> {
            head.set(c.readHead());
            c.write(OK_EMPTY);
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /v1/AUTH_test/c/caf".getBytes(StandardCharsets.US_ASCII));
            client.send(new byte[] {(byte) 0xc3, (byte) 0xa9});
            client.send(" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertEquals(201, client.readHead().status());
            assertTrue(head.get().startsWith("PUT /v1/AUTH_test/c/caf%C3%A9 HTTP/1.1\r\n"), head.get());
        }
    }

    @Test
    void largeUploadStreamsThroughByteForByte() throws Exception {
        int size = 32 << 20;
        AtomicReference<byte[]> digest = new AtomicReference<>();
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            var md = java.security.MessageDigest.getInstance("MD5");
            byte[] buf = new byte[65536];
            int left = size;
            while (left > 0) {
                int n = c.in.read(buf, 0, Math.min(buf.length, left));
                if (n < 0) {
                    throw new java.io.EOFException();
                }
                md.update(buf, 0, n);
                left -= n;
            }
            digest.set(md.digest());
            c.write(OK_EMPTY);
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            var md = java.security.MessageDigest.getInstance("MD5");
            client.send("PUT /o HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n");
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < size / chunk.length; i++) {
                Arrays.fill(chunk, (byte) i);
                md.update(chunk);
                client.send(chunk);
            }
            assertEquals(201, client.readHead().status());
            assertArrayEquals(md.digest(), digest.get());
        }
    }

    /** Answers one request kept-alive, then drops the connection when the next request arrives. */
    private static final String KEPT_ALIVE_OK = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst";

    @Test
    void getMeetingAPooledConnectionThatClosesUnansweredGoesAgainOnANewOne() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (RawBackend backend = new RawBackend(c -> {
            if (connections.incrementAndGet() == 1) {
                c.readHead();
                c.write(KEPT_ALIVE_OK);
                c.readHead(); // the second request: dropped without an answer
                return;
            }
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
            c.readUntilClose(1 << 16);
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            assertEquals("first", new String(client.readExactly(5), StandardCharsets.ISO_8859_1));
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            assertEquals("fresh", new String(client.readExactly(5), StandardCharsets.ISO_8859_1));
            assertEquals(2, connections.get());
        }
    }

    @Test
    void requestWithABodyOnAPooledConnectionThatClosesUnansweredIsNotSentAgain() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (RawBackend backend = new RawBackend(c -> {
            connections.incrementAndGet();
            c.readHead();
            c.write(KEPT_ALIVE_OK);
            c.readHead();
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, client.readHead().status());
            client.readExactly(5);
            client.send("PUT /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals(502, client.readHead().status());
            Thread.sleep(200);
            assertEquals(1, connections.get(), "a PUT is never sent twice");
        }
    }

    @Test
    void aNewConnectionThatClosesUnansweredIsNotTriedAgain() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (RawBackend backend = new RawBackend(c -> {
            connections.incrementAndGet();
            c.readHead();
        }); AutosyncProxy proxy = TestProxy.start(backend.port());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(502, client.readHead().status());
            Thread.sleep(200);
            assertEquals(1, connections.get());
        }
    }
}
