package org.autosync.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * One site of the Swift lab, reached directly (not through any proxy) with that site's own
 * test:tester token: what the fan-out tests check against, and how they clean up.
 */
final class FanOutSwiftSite {
    static final String ACCOUNT = "AUTH_test";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(LabTls.context())
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    final String name;
    final URI base;
    private final LinkedHashSet<String> containers = new LinkedHashSet<>();
    private String token;

    FanOutSwiftSite(String name, URI base) {
        this.name = name;
        this.base = base;
    }

    int port() {
        return base.getPort();
    }

    void assertUp() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/healthcheck"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "healthcheck of site " + name + " at " + base);
        } catch (IOException e) {
            fail("Swift site " + name + " is not reachable at " + base + " (scripts/swift-lab up): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** test:tester's token from this site's own tempauth (cached). */
    synchronized String token() {
        if (token == null) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(base.resolve("/auth/v1.0"))
                    .header("X-Auth-User", "test:tester").header("X-Auth-Key", "testing").GET());
            assertEquals(200, r.statusCode(), "tempauth login at site " + name);
            token = r.headers().firstValue("X-Auth-Token").orElseThrow();
        }
        return token;
    }

    static String unique(String hint) {
        return "fanout-" + hint + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    static String containerPath(String container) {
        return "/v1/" + ACCOUNT + "/" + enc(container);
    }

    static String objectPath(String container, String object) {
        return containerPath(container) + "/" + enc(object);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Remembers a container for {@link #cleanup()}. */
    String track(String container) {
        containers.add(container);
        return container;
    }

    HttpResponse<byte[]> head(String path) {
        return send(authed(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<byte[]> get(String path) {
        return send(authed(path).GET());
    }

    HttpResponse<byte[]> put(String path, byte[] body) {
        return send(authed(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Any bodiless request, with extra headers as name, value pairs. */
    HttpResponse<byte[]> send(String method, String path, String... headers) {
        HttpRequest.Builder b = authed(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    HttpResponse<byte[]> delete(String path) {
        return send(authed(path).DELETE());
    }

    /** Polls GET {@code path} every 250 ms until {@code done} holds or {@code timeout} passes. */
    HttpResponse<byte[]> awaitGet(String path, Predicate<HttpResponse<byte[]>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<byte[]> r = get(path);
        while (!done.test(r) && System.nanoTime() < deadline) {
            pause(250);
            r = get(path);
        }
        return r;
    }

    /** Polls HEAD {@code path} every 250 ms until {@code done} holds or {@code timeout} passes. */
    HttpResponse<byte[]> awaitHead(String path, Predicate<HttpResponse<byte[]>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<byte[]> r = head(path);
        while (!done.test(r) && System.nanoTime() < deadline) {
            pause(250);
            r = head(path);
        }
        return r;
    }

    List<String> listObjects(String container) {
        HttpResponse<byte[]> r = get(containerPath(container) + "?format=json");
        if (r.statusCode() == 404) {
            return List.of();
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("listing " + container + " at " + name + ": " + r.statusCode());
        }
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode o : JSON.readTree(r.body())) {
                names.add(o.path("name").asText());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    /** Removes every tracked container (objects first) from this site. */
    void cleanup() {
        List<String> problems = new ArrayList<>();
        for (String c : List.copyOf(containers)) {
            try {
                remove(c);
            } catch (RuntimeException | AssertionError e) {
                problems.add(c + ": " + e.getMessage());
            }
        }
        containers.clear();
        if (!problems.isEmpty()) {
            throw new AssertionError("cleanup at site " + name + " left: " + problems);
        }
    }

    private void remove(String container) {
        for (int attempt = 0; attempt < 20; attempt++) {
            for (String o : listObjects(container)) {
                int s = delete(objectPath(container, o)).statusCode();
                if (s != 204 && s != 404) {
                    throw new AssertionError("DELETE object " + o + ": " + s);
                }
            }
            int s = delete(containerPath(container)).statusCode();
            if (s == 204 || s == 404) {
                return;
            }
            if (s != 409) {
                throw new AssertionError("DELETE container: " + s);
            }
            pause(250); // an object synced in meanwhile
        }
        throw new AssertionError("container " + container + " still not empty");
    }

    HttpRequest.Builder authed(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("X-Auth-Token", token());
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder b) {
        return SwiftLab.send(b);
    }

    /** With another client (one that trusts a test CA, say). */
    static HttpResponse<byte[]> send(HttpRequest.Builder b, java.net.http.HttpClient client) {
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
