package org.autosync.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The Keystone-mode Swift lab that {@code scripts/test} starts beside the tempauth one
 * ({@code SWIFT_LAB_AUTH=keystone}, own base and ports): both Swift sites authenticate against
 * one shared Keystone, so one token works at both. Coordinates come from system properties:
 * <ul>
 *   <li>{@code autosync.ks.base}: the lab's base directory (default /tmp/swift-lab-ks), whose
 *       {@code keystone/ids.env} holds the project ids ({@code TEST_PROJECT_ID=...});</li>
 *   <li>{@code autosync.ks.a}, {@code autosync.ks.b}: Swift of site a and b (default 8091, 8092);</li>
 *   <li>{@code autosync.ks.auth}: the Keystone v3 base URL (default http://127.0.0.1:5000/v3).</li>
 * </ul>
 * Users (lab provisioning): tester/testing (project test, member), tester3/testing3 (project
 * test, reader: 403 in Swift), autosync/autosync (project service, ResellerAdmin). The account
 * of project P is {@code AUTH_<P's id>}.
 */
final class KeystoneLab {
    static final String TESTER = "tester";
    static final String TESTER3 = "tester3";
    static final String SERVICE_USER = "autosync";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String[]> USERS = Map.of(  // user -> password, project
            TESTER, new String[] {"testing", "test"},
            TESTER3, new String[] {"testing3", "test"},
            SERVICE_USER, new String[] {"autosync", "service"});

    final Path base;
    final URI swiftA;
    final URI swiftB;
    /** The Keystone v3 base URL, e.g. http://127.0.0.1:5000/v3 (no trailing slash). */
    final String authUrl;
    private final Map<String, String> ids;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private KeystoneLab(Path base, URI swiftA, URI swiftB, String authUrl, Map<String, String> ids) {
        this.base = base;
        this.swiftA = swiftA;
        this.swiftB = swiftB;
        this.authUrl = authUrl;
        this.ids = ids;
    }

    /** From the {@code autosync.ks.*} system properties; fails clearly when the lab is not there. */
    static KeystoneLab fromSystemProperties() {
        Path base = Path.of(prop("autosync.ks.base", "/tmp/swift-lab-ks"));
        Path idsFile = base.resolve("keystone/ids.env");
        Map<String, String> ids = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(idsFile, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    ids.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            fail("cannot read " + idsFile + ": is the Keystone lab up (scripts/test starts it;"
                    + " SWIFT_LAB_AUTH=keystone SWIFT_LAB_BASE=" + base + " scripts/swift-lab up)? " + e);
        }
        KeystoneLab lab = new KeystoneLab(base, uri(prop("autosync.ks.a", "http://127.0.0.1:8091")),
                uri(prop("autosync.ks.b", "http://127.0.0.1:8092")),
                trimSlash(prop("autosync.ks.auth", "http://127.0.0.1:5000/v3")), Map.copyOf(ids));
        lab.projectId("test"); // fails early when ids.env is incomplete
        return lab;
    }

    private static String prop(String name, String dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static URI uri(String s) {
        return URI.create(trimSlash(s));
    }

    /** The id of project {@code name} (test, test2, service) from ids.env. */
    String projectId(String name) {
        String key = name.toUpperCase(Locale.ROOT) + "_PROJECT_ID";
        String id = ids.get(key);
        if (id == null || id.isEmpty()) {
            fail(key + " missing in " + base.resolve("keystone/ids.env") + " (has " + ids.keySet() + ")");
        }
        return id;
    }

    /** The Swift account of project test: {@code AUTH_<test's id>}. */
    String testAccount() {
        return "AUTH_" + projectId("test");
    }

    // ------------------------------------------------------------------ Keystone

    /** A project-scoped token. */
    record Token(String id, String user, String projectId, Instant expiresAt) {
    }

    /**
     * {@code POST <auth>/auth/tokens}, password method, scoped to {@code project} (domain
     * Default for both); any status.
     */
    HttpResponse<byte[]> login(String user, String password, String project) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode u = identity.putObject("password").putObject("user");
        u.put("name", user).put("password", password).putObject("domain").put("id", "default");
        auth.putObject("scope").putObject("project").put("name", project).putObject("domain").put("id", "default");
        return SwiftLab.send(HttpRequest.newBuilder(URI.create(authUrl + "/auth/tokens"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** A token of one of the lab's users (cached until shortly before it expires). */
    Token token(String user) {
        Token t = tokens.get(user);
        if (t != null && t.expiresAt().isAfter(Instant.now().plusSeconds(300))) {
            return t;
        }
        String[] pw = USERS.get(user);
        if (pw == null) {
            throw new IllegalArgumentException("unknown lab user " + user);
        }
        HttpResponse<byte[]> r = login(user, pw[0], pw[1]);
        assertEquals(201, r.statusCode(), "Keystone login of " + user + " at " + authUrl + ": "
                + new String(r.body(), StandardCharsets.UTF_8));
        String id = r.headers().firstValue("X-Subject-Token")
                .orElseThrow(() -> new AssertionError("no X-Subject-Token for " + user));
        JsonNode token = SwiftLab.json(r.body()).path("token");
        String projectId = token.path("project").path("id").asText();
        assertEquals(projectId(pw[1]), projectId, "project id of " + user + "'s token vs ids.env");
        t = new Token(id, user, projectId, Instant.parse(token.path("expires_at").asText()));
        tokens.put(user, t);
        return t;
    }

    /** Site a or b of this lab, reached directly with tester's token. */
    Site site(String name) {
        return new Site(name, name.equals("a") ? swiftA : swiftB);
    }

    /**
     * One Swift site of the Keystone lab, reached directly (no proxy) with a token of tester
     * (project test, member): what the tests check against, and how they clean up.
     */
    final class Site {
        final String name;
        final URI base;
        private final LinkedHashSet<String> containers = new LinkedHashSet<>();

        private Site(String name, URI base) {
            this.name = name;
            this.base = base;
        }

        URI base() {
            return base;
        }

        void assertUp() {
            HttpResponse<byte[]> r;
            try {
                r = HTTP.send(HttpRequest.newBuilder(base.resolve("/healthcheck"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new AssertionError("Swift site " + name + " of the Keystone lab is not reachable at "
                        + base + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertEquals(200, r.statusCode(), "healthcheck of Keystone-lab site " + name + " at " + base);
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

        HttpResponse<byte[]> delete(String path) {
            return send(authed(path).DELETE());
        }

        /** Polls GET {@code path} every 250 ms until {@code done} holds or {@code timeout} passes. */
        HttpResponse<byte[]> awaitGet(String path, Predicate<HttpResponse<byte[]>> done, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            HttpResponse<byte[]> r = get(path);
            while (!done.test(r) && System.nanoTime() < deadline) {
                SwiftLab.sleep(250);
                r = get(path);
            }
            return r;
        }

        List<String> listObjects(String container) {
            HttpResponse<byte[]> r = get(containerPath(container) + "?format=json");
            if (r.statusCode() == 404) {
                return List.of();
            }
            if (r.statusCode() != 200 && r.statusCode() != 204) {
                throw new AssertionError("listing " + container + " at " + name + ": " + r.statusCode());
            }
            List<String> names = new ArrayList<>();
            if (r.statusCode() == 200) {
                for (JsonNode o : SwiftLab.json(r.body())) {
                    names.add(o.path("name").asText());
                }
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
                throw new AssertionError("cleanup at Keystone-lab site " + name + " left: " + problems);
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
                SwiftLab.sleep(250); // an object synced in meanwhile
            }
            throw new AssertionError("container " + container + " still not empty");
        }

        private HttpRequest.Builder authed(String path) {
            return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("X-Auth-Token", token(TESTER).id());
        }
    }

    // ------------------------------------------------------------------ names and requests

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(LabTls.context())
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    static String unique(String hint) {
        return "ks-" + hint + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    String containerPath(String container) {
        return "/v1/" + testAccount() + "/" + enc(container);
    }

    String objectPath(String container, String object) {
        return containerPath(container) + "/" + enc(object);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder b) {
        return SwiftLab.send(b);
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }
}
