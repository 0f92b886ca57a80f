package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.autosync.auth.AuthMode;
import org.autosync.auth.KeystoneCredentials;
import org.autosync.auth.PeerSigner;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * forward and override, on both ends: which token the sender lets travel to each peer, which
 * token the receiver applies at its cluster, and the Keystone v3 service login of override mode.
 */
class AuthModeTest {
    private static final byte[] SECRET = FederationFixture.PEER_SECRET.getBytes(StandardCharsets.UTF_8);
    private static final String USER_TOKEN = "gAAAAA-user-token-from-the-shared-keystone";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private final List<AutoCloseable> closing = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private StubSite stub() throws Exception {
        StubSite s = new StubSite();
        closing.add(s);
        return s;
    }

    private AutosyncProxy proxy(StubSite cluster, FederationFixture fed) throws Exception {
        AutosyncProxy p = TestProxy.start(cluster.server.getPort(), s -> s.federation(fed.build()));
        closing.add(0, p);
        return p;
    }

    private static HttpResponse<String> send(AutosyncProxy p, String method, String path, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(new byte[0]));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> signed(String method, String path, Map<String, String> covered) {
        Map<String, String> all = new LinkedHashMap<>(covered);
        all.putAll(new PeerSigner("a", SECRET, Clock.systemUTC()).sign("b", method, path, covered));
        return all;
    }

    // ------------------------------------------------------------------ sender

    @Test
    void theClientTokenTravelsOnlyToForwardSites() throws Exception {
        StubSite cluster = stub();
        StubSite b = stub();
        StubSite c = stub();
        AutosyncProxy a = proxy(cluster, FederationFixture.at("a")
                .site("a", URI.create("http://127.0.0.1:9")).site("b", b.url()).site("c", c.url())
                .authMode("b", AuthMode.FORWARD).authMode("c", AuthMode.OVERRIDE));
        HttpResponse<String> r = send(a, "PUT", "/v1/AUTH_test/c1", Map.of("X-Auth-Token", USER_TOKEN,
                "X-Service-Token", "svc-token", "X-Container-Meta-Color", "blue"));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(USER_TOKEN, cluster.only().getHeader("X-Auth-Token"));
        RecordedRequest atB = b.only();
        assertEquals(USER_TOKEN, atB.getHeader("X-Auth-Token"), "forward: the user's token goes along");
        assertEquals("svc-token", atB.getHeader("X-Service-Token"));
        assertEquals("blue", atB.getHeader("X-Container-Meta-Color"));
        RecordedRequest atC = c.only();
        assertNull(atC.getHeader("X-Auth-Token"), "override: the user's token stays home");
        assertNull(atC.getHeader("X-Service-Token"));
        assertEquals("blue", atC.getHeader("X-Container-Meta-Color"));
    }

    // ------------------------------------------------------------------ receiver

    @Test
    void forwardReceiverAppliesTheClientsOwnTokenAndNeverLogsIn() throws Exception {
        StubSite cluster = stub();
        AutosyncProxy b = proxy(cluster, FederationFixture.at("b")
                .site("a", URI.create("http://127.0.0.1:9")).site("b", URI.create("http://127.0.0.1:9"))
                .authMode("b", AuthMode.FORWARD));
        Map<String, String> h = Map.of("X-Auth-Token", USER_TOKEN, "X-Container-Meta-Color", "blue");
        HttpResponse<String> r = send(b, "PUT", "/v1/AUTH_test/c1", signed("PUT", "/v1/AUTH_test/c1", h));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(List.of(USER_TOKEN), cluster.only().getHeaders().values("X-Auth-Token"));
    }

    @Test
    void forwardReceiverPassesTheClustersVerdictOnTheUserBack() throws Exception {
        StubSite cluster = stub().answer("PUT", 403);
        AutosyncProxy b = proxy(cluster, FederationFixture.at("b")
                .site("a", URI.create("http://127.0.0.1:9")).site("b", URI.create("http://127.0.0.1:9"))
                .authMode("b", AuthMode.FORWARD));
        Map<String, String> h = Map.of("X-Auth-Token", "token-of-a-reader");
        assertEquals(403, send(b, "PUT", "/v1/AUTH_test/c1", signed("PUT", "/v1/AUTH_test/c1", h)).statusCode());
    }

    // ------------------------------------------------------------------ keystone override

    /** A Keystone v3 stub: every password login gets a new token that expires in {@code lifetime}. */
    private StubSite keystone(AtomicInteger logins, Duration lifetime) throws Exception {
        return stub().answer("POST", r -> {
            int n = logins.incrementAndGet();
            Instant issued = Instant.parse("2026-01-01T00:00:00Z");
            String body = "{\"token\":{\"issued_at\":\"" + issued.toString().replace("Z", ".000000Z")
                    + "\",\"expires_at\":\"" + issued.plus(lifetime).toString().replace("Z", ".000000Z")
                    + "\",\"catalog\":[{\"type\":\"object-store\",\"endpoints\":[{\"region\":\"b\","
                    + "\"interface\":\"public\",\"url\":\"http://127.0.0.1:8082/v1/AUTH_x\"}]}]}}";
            return new MockResponse().setResponseCode(201).addHeader("X-Subject-Token", "ks-service-token-" + n)
                    .addHeader("Content-Type", "application/json").setBody(body);
        });
    }

    private AutosyncProxy keystoneReceiver(StubSite cluster, StubSite keystone) throws Exception {
        return proxy(cluster, FederationFixture.at("b")
                .site("a", URI.create("http://127.0.0.1:9")).site("b", URI.create("http://127.0.0.1:9"))
                .identity(new KeystoneCredentials(URI.create(keystone.url() + "/v3"), "autosync",
                        "autosync-password", "service", "Default", "Default", "b")));
    }

    @Test
    void keystoneOverrideLogsInWithPasswordScopedToTheProjectAndReusesTheToken() throws Exception {
        AtomicInteger logins = new AtomicInteger();
        StubSite ks = keystone(logins, Duration.ofHours(1));
        StubSite cluster = stub();
        AutosyncProxy b = keystoneReceiver(cluster, ks);
        Map<String, String> h = Map.of("X-Auth-Token", USER_TOKEN);
        assertEquals(201, send(b, "PUT", "/v1/AUTH_p/c1", signed("PUT", "/v1/AUTH_p/c1", h)).statusCode());
        assertEquals(204, send(b, "POST", "/v1/AUTH_p/c1", signed("POST", "/v1/AUTH_p/c1", h)).statusCode());

        RecordedRequest login = ks.only();
        assertEquals("/v3/auth/tokens", login.getPath());
        JsonNode auth = JSON.readTree(login.getBody().readUtf8()).path("auth");
        assertEquals("password", auth.path("identity").path("methods").get(0).asText());
        JsonNode user = auth.path("identity").path("password").path("user");
        assertEquals("autosync", user.path("name").asText());
        assertEquals("Default", user.path("domain").path("name").asText());
        assertEquals("autosync-password", user.path("password").asText());
        assertEquals("service", auth.path("scope").path("project").path("name").asText());
        assertEquals("Default", auth.path("scope").path("project").path("domain").path("name").asText());

        assertEquals(List.of("PUT", "POST"), cluster.methods());
        for (RecordedRequest applied : cluster.seen) {
            assertEquals(List.of("ks-service-token-1"), applied.getHeaders().values("X-Auth-Token"),
                    "the service token only, never the user's");
        }
    }

    @Test
    void keystoneTokenIsRenewedAfterA401() throws Exception {
        AtomicInteger logins = new AtomicInteger();
        StubSite ks = keystone(logins, Duration.ofHours(1));
        AtomicInteger puts = new AtomicInteger();
        StubSite cluster = stub().answer("PUT", r -> new MockResponse().setResponseCode(
                puts.incrementAndGet() == 2 ? 401 : 201));
        AutosyncProxy b = keystoneReceiver(cluster, ks);
        assertEquals(201, send(b, "PUT", "/v1/AUTH_p/c1", signed("PUT", "/v1/AUTH_p/c1", Map.of())).statusCode());
        // the cluster now refuses token 1 (revoked): one new login, one retry
        assertEquals(201, send(b, "PUT", "/v1/AUTH_p/c2", signed("PUT", "/v1/AUTH_p/c2", Map.of())).statusCode());
        assertEquals(2, logins.get());
        assertEquals("ks-service-token-2", cluster.seen.get(2).getHeader("X-Auth-Token"));
    }

    @Test
    void keystoneTokenIsRenewedBeforeItExpires() throws Exception {
        AtomicInteger logins = new AtomicInteger();
        // lifetime 2 s: refreshed 1 s early, so every request a second apart logs in again
        StubSite ks = keystone(logins, Duration.ofSeconds(2));
        StubSite cluster = stub();
        AutosyncProxy b = keystoneReceiver(cluster, ks);
        assertEquals(201, send(b, "PUT", "/v1/AUTH_p/c1", signed("PUT", "/v1/AUTH_p/c1", Map.of())).statusCode());
        Thread.sleep(1100);
        assertEquals(201, send(b, "PUT", "/v1/AUTH_p/c2", signed("PUT", "/v1/AUTH_p/c2", Map.of())).statusCode());
        assertEquals(2, logins.get(), "expires_at - issued_at decides the lifetime");
        assertEquals("ks-service-token-2", cluster.seen.get(1).getHeader("X-Auth-Token"));
    }

    @Test
    void keystoneRefusalAnswersAuthFailedAndTouchesNothing() throws Exception {
        StubSite ks = stub().answer("POST", 401);
        StubSite cluster = stub();
        AutosyncProxy b = keystoneReceiver(cluster, ks);
        HttpResponse<String> r = send(b, "PUT", "/v1/AUTH_p/c1", signed("PUT", "/v1/AUTH_p/c1", Map.of()));
        assertEquals(503, r.statusCode());
        assertEquals("auth-failed", r.headers().firstValue(PeerClient.ERROR_HEADER).orElse(null));
        assertTrue(r.body().contains("cannot log in"), r.body());
        assertTrue(!r.body().contains("autosync-password"), r.body());
        assertEquals(0, cluster.seen.size());
    }
}
