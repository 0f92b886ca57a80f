package org.autosync.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Autosync's own https connections against a TLS server with certificates made for the test: a
 * good one works, and every bad one (not trusted, another host's, expired) fails with a clear
 * reason, on the control path and on the data path alike.
 */
class ClientTlsTest {
    @TempDir
    static Path dir;
    private static TestCerts certs;
    private static TestCerts otherCa;
    private static NioEventLoopGroup group;

    @BeforeAll
    static void setUp() throws Exception {
        certs = new TestCerts(dir, "lab");
        otherCa = new TestCerts(dir, "stranger");
        group = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static ClusterResponse get(TlsSettings tls, TestCerts.Pem serverCert) throws Exception {
        try (TlsOrigin origin = new TlsOrigin(serverCert)) {
            ClusterClient client = new ClusterClient(group, NioSocketChannel.class, Duration.ofSeconds(2),
                    ClientTls.create(tls));
            try {
                return client.send(URI.create("https://127.0.0.1:" + origin.port()),
                        new ClusterRequest("GET", "/info", Map.of(), new byte[0]), Duration.ofSeconds(5)).get();
            } finally {
                client.closeIdle();
            }
        }
    }

    private static String failure(TlsSettings tls, TestCerts.Pem serverCert) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(tls, serverCert));
        assertInstanceOf(ClusterClient.TlsFailure.class, e.getCause(), e.toString());
        return e.getCause().getMessage();
    }

    private static TlsSettings trusting(TestCerts ca) {
        return new TlsSettings(ca.caFile().toString(), false, null, null);
    }

    @Test
    void aCertificateFromTheConfiguredCaForThisHostWorks() throws Exception {
        ClusterResponse r = get(trusting(certs), certs.leaf("good"));
        assertEquals(200, r.status());
        assertEquals("tls ok GET /info", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        String why = failure(trusting(certs), otherCa.leaf("stranger-leaf"));
        assertTrue(why.contains("certificate not trusted"), why);
        assertTrue(why.startsWith("TLS with 127.0.0.1:"), why);
    }

    @Test
    void theSystemTrustStoreDoesNotTrustATestCa() throws Exception {
        String why = failure(TlsSettings.DEFAULTS, certs.leaf("good-but-private"));
        assertTrue(why.contains("certificate not trusted"), why);
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        String why = failure(trusting(certs), certs.wrongHost("other-host"));
        assertTrue(why.contains("does not name this host"), why);
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        String why = failure(trusting(certs), certs.expired("expired"));
        assertTrue(why.contains("expired"), why);
    }

    @Test
    void insecureAcceptsAnythingAsItSays() throws Exception {
        assertEquals(200, get(new TlsSettings(null, true, null, null), otherCa.wrongHost("anything")).status());
    }

    @Test
    void aPlainHttpServerOnTheHttpsPortFailsCleanly() throws Exception {
        try (var plain = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (var s = plain.accept()) {
                    s.getInputStream().read(new byte[512]);
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the client gave up
                }
            });
            t.start();
            ClusterClient client = new ClusterClient(group, NioSocketChannel.class, Duration.ofSeconds(2),
                    ClientTls.create(trusting(certs)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> client.send(
                    URI.create("https://127.0.0.1:" + plain.getLocalPort()),
                    new ClusterRequest("GET", "/", Map.of(), new byte[0]), Duration.ofSeconds(5)).get());
            assertInstanceOf(ClusterClient.TlsFailure.class, e.getCause(), e.toString());
            t.join(5000);
        }
    }

    @Test
    void theDataPathReachesAnHttpsLocalClusterAndRefusesABadOne() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (TlsOrigin good = new TlsOrigin(certs.leaf("cluster"));
             AutosyncProxy proxy = TestProxy.startAt(URI.create("https://127.0.0.1:" + good.port()),
                     s -> s.tls(trusting(certs)))) {
            for (int i = 0; i < 3; i++) { // the second and third on a kept-alive TLS connection
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.port() + "/v1/AUTH_test/c/o" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("tls ok GET /v1/AUTH_test/c/o" + i, r.body());
            }
        }
        try (TlsOrigin bad = new TlsOrigin(otherCa.leaf("impostor"));
             AutosyncProxy proxy = TestProxy.startAt(URI.create("https://127.0.0.1:" + bad.port()),
                     s -> s.tls(trusting(certs)))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.port() + "/v1/AUTH_test/c/o")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(502, r.statusCode());
            assertTrue(r.body().contains("cannot reach the local Swift cluster"), r.body());
        }
    }
}
