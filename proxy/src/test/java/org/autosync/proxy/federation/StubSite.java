package org.autosync.proxy.federation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A MockWebServer standing in for a Swift cluster or another site's Autosync proxy: answers by
 * method (PUT 201, POST 204, DELETE 204, HEAD 204 with zero objects and, asked as a peer, nothing
 * pending for the asker, GET 200 unless told otherwise) and records every request before answering it.
 */
final class StubSite implements AutoCloseable {
    final MockWebServer server = new MockWebServer();
    final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
    private final Map<String, Function<RecordedRequest, MockResponse>> answers = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger healthChecks = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean healthy = true;

    StubSite() throws IOException {
        answer("PUT", 201);
        answer("POST", 204);
        answer("DELETE", 204);
        answer("GET", 200);
        // as a peer's proxy with nothing pending for the asker, when asked
        answer("HEAD", r -> {
            MockResponse m = new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "0");
            return r.getHeader("X-Autosync-Want-Pending-To-Me") == null ? m : m.addHeader("X-Autosync-Pending", "0");
        });
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                if ("/healthcheck".equals(r.getPath())) {
                    // a peer proxy's health checks of this stub: answered, not counted as calls
                    healthChecks.incrementAndGet();
                    return healthy ? new MockResponse().setResponseCode(200).setBody("OK")
                            : new MockResponse().setResponseCode(503);
                }
                seen.add(r);
                Function<RecordedRequest, MockResponse> f = answers.get(r.getMethod());
                return f == null ? new MockResponse().setResponseCode(405) : f.apply(r);
            }
        });
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    StubSite answer(String method, int status) {
        return answer(method, r -> new MockResponse().setResponseCode(status));
    }

    StubSite answer(String method, Function<RecordedRequest, MockResponse> f) {
        answers.put(method, f);
        return this;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    List<String> methods() {
        return seen.stream().map(RecordedRequest::getMethod).toList();
    }

    /** The one request with {@code method} this site got. */
    RecordedRequest only(String method) {
        List<RecordedRequest> m = seen.stream().filter(r -> r.getMethod().equals(method)).toList();
        if (m.size() != 1) {
            throw new AssertionError("expected exactly one " + method + ", got " + methods());
        }
        return m.get(0);
    }

    RecordedRequest only() {
        if (seen.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + seen.size() + ": " + methods());
        }
        return seen.get(0);
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
