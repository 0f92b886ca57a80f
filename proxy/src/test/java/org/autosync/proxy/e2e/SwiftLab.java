package org.autosync.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Direct access to one site of the Swift lab (scripts/swift-lab), bypassing the proxy: tempauth
 * login, plain HEAD/GET/PUT/DELETE, unique names, and cleanup of every container a test made
 * (objects, then {@code <c>_segments}, then the container).
 */
final class SwiftLab {
    static final String USER = "test:tester";
    static final String KEY = "testing";
    static final String ACCOUNT = "AUTH_test";
    static final String ACCOUNT_PATH = "/v1/" + ACCOUNT;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(LabTls.context())
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI base;
    private final LinkedHashSet<String> containers = new LinkedHashSet<>();
    private String token;

    SwiftLab(URI base) {
        this.base = base;
    }

    /** Site a: {@code SWIFT_A_URL}, default http://127.0.0.1:8081. */
    static SwiftLab siteA() {
        return new SwiftLab(siteUrl("SWIFT_A_URL", "http://127.0.0.1:8081"));
    }

    /** Site b: {@code SWIFT_B_URL}, default http://127.0.0.1:8082. */
    static SwiftLab siteB() {
        return new SwiftLab(siteUrl("SWIFT_B_URL", "http://127.0.0.1:8082"));
    }

    private static URI siteUrl(String env, String dflt) {
        String v = System.getenv(env);
        String url = v == null || v.isBlank() ? dflt : v.trim();
        return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    URI base() {
        return base;
    }

    int port() {
        return base.getPort();
    }

    /** Fails with a clear message when the lab is not running. */
    void assertUp() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/healthcheck"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "healthcheck of " + base);
        } catch (ConnectException e) {
            fail("the Swift lab is not running at " + base + " (scripts/swift-lab up): " + e);
        } catch (IOException e) {
            fail("the Swift lab at " + base + " is not healthy: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ auth

    /** GET {@code <url>/auth/v1.0} with tempauth credentials; no redirects, any status. */
    static HttpResponse<byte[]> login(URI url, String user, String key) {
        return send(HttpRequest.newBuilder(url.resolve("/auth/v1.0"))
                .header("X-Auth-User", user).header("X-Auth-Key", key).GET());
    }

    /** A token of test:tester obtained directly from this site (cached). */
    synchronized String token() {
        if (token == null) {
            HttpResponse<byte[]> r = login(base, USER, KEY);
            assertEquals(200, r.statusCode(), "tempauth login at " + base);
            token = r.headers().firstValue("X-Auth-Token")
                    .orElseThrow(() -> new AssertionError("no X-Auth-Token from " + base));
        }
        return token;
    }

    // ------------------------------------------------------------------ names

    static String unique(String hint) {
        return "e2e-" + hint + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** Remembers {@code container} (and its {@code _segments}) for {@link #cleanup()}. */
    String track(String container) {
        containers.add(container);
        return container;
    }

    /** Creates a uniquely named container directly on Swift; it is cleaned up afterwards. */
    String newContainer(String hint) {
        String c = track(unique(hint));
        HttpResponse<byte[]> r = put(containerPath(c), new byte[0]);
        if (r.statusCode() != 201 && r.statusCode() != 202) {
            fail("PUT container " + c + ": " + r.statusCode() + " " + text(r));
        }
        return c;
    }

    static String containerPath(String container) {
        return ACCOUNT_PATH + "/" + enc(container);
    }

    static String objectPath(String container, String object) {
        return containerPath(container) + "/" + enc(object);
    }

    /** Percent-encodes a Swift name, keeping '/' (pseudo-directories). */
    static String enc(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    // ------------------------------------------------------------------ requests (direct)

    HttpResponse<byte[]> head(String path) {
        return send(authed(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<byte[]> get(String path) {
        return send(authed(path).GET());
    }

    HttpResponse<byte[]> delete(String path) {
        return send(authed(path).DELETE());
    }

    /** PUT with extra headers given as name, value, name, value ... */
    HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = authed(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** Object names in a container (all pages), or an empty list when it does not exist. */
    List<String> listObjects(String container) {
        List<String> names = new ArrayList<>();
        String marker = "";
        while (true) {
            HttpResponse<byte[]> r = get(containerPath(container) + "?format=json&marker=" + enc(marker));
            if (r.statusCode() == 404) {
                return names;
            }
            if (r.statusCode() != 200) {
                throw new AssertionError("listing " + container + ": " + r.statusCode() + " " + text(r));
            }
            JsonNode page = json(r.body());
            if (page.isEmpty()) {
                return names;
            }
            for (JsonNode o : page) {
                names.add(o.path("name").asText());
            }
            marker = names.get(names.size() - 1);
        }
    }

    /** Deletes every tracked container with its objects and its segments container. */
    void cleanup() {
        List<String> problems = new ArrayList<>();
        for (String c : List.copyOf(containers)) {
            for (String name : List.of(c, c + "_segments")) {
                try {
                    removeContainer(name);
                } catch (RuntimeException | AssertionError e) {
                    problems.add(name + ": " + e.getMessage());
                }
            }
        }
        containers.clear();
        if (!problems.isEmpty()) {
            throw new AssertionError("cleanup of the Swift lab left something behind: " + problems);
        }
    }

    private void removeContainer(String name) {
        for (int attempt = 0; attempt < 5; attempt++) {
            for (String o : listObjects(name)) {
                int s = delete(objectPath(name, o)).statusCode();
                if (s != 204 && s != 404) {
                    throw new AssertionError("DELETE object " + o + ": " + s);
                }
            }
            int s = delete(containerPath(name)).statusCode();
            if (s == 204 || s == 404) {
                return;
            }
            if (s != 409) { // 409: the listing was not empty yet
                throw new AssertionError("DELETE container: " + s);
            }
            sleep(200);
        }
        throw new AssertionError("container still not empty after 5 attempts");
    }

    // ------------------------------------------------------------------ utilities

    private HttpRequest.Builder authed(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("X-Auth-Token", token());
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder b) {
        HttpRequest req = b.build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(req.method() + " " + req.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static JsonNode json(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ test data

    static byte[] randomBytes(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code size} seeded random bytes to {@code file} without holding them; returns the MD5 hex. */
    static String writeRandomFile(Path file, long seed, long size) throws IOException {
        MessageDigest md5 = md5();
        Random random = new Random(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                random.nextBytes(buf);
                out.write(buf, 0, n);
                md5.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    static String md5Hex(Path file) throws IOException {
        MessageDigest md5 = md5();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md5.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    static String md5Hex(byte[] data) {
        return HexFormat.of().formatHex(md5().digest(data));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
