package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.tls.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair with every connection Autosync opens over https: each site's Swift (pass-through,
 * control path and tempauth login) and each peer proxy sit behind a TLS terminator whose
 * certificate a throwaway CA signed, the CA named in {@code autosync.tls.ca-file}.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class TlsE2ETest {
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    @TempDir
    static Path dir;
    private static TestCerts certs;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static AutosyncProxy proxyA;

    @BeforeAll
    static void start() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        certs = new TestCerts(dir, "tls-e2e");
        TestCerts.Pem leaf = certs.leaf("relay");
        TlsRelay swiftA = relay(leaf, SWIFT_A.port());
        TlsRelay swiftB = relay(leaf, SWIFT_B.port());
        int[] ports = FanOutE2ETest.freePorts(2);
        TlsRelay peerA = relay(leaf, ports[0]);
        TlsRelay peerB = relay(leaf, ports[1]);
        proxyA = start("a", ports[0], swiftA, peerA.url(), peerB.url(), certs.caFile());
        start("b", ports[1], swiftB, peerA.url(), peerB.url(), certs.caFile());
    }

    private static TlsRelay relay(TestCerts.Pem cert, int target) throws Exception {
        TlsRelay r = new TlsRelay(dir, cert, target);
        running.add(r);
        return r;
    }

    private static AutosyncProxy start(String site, int port, TlsRelay swift, String urlA, String urlB, Path ca)
            throws Exception {
        AutosyncProxy p = AutosyncProxy.start(Settings.fromConfig(ConfigFactory.parseString(
                "autosync.local-cluster = \"" + swift.url() + "\"\n"
                        + "autosync.service-credentials.auth-url = \"" + swift.url() + "/auth/v1.0\"\n"
                        + "autosync.tls.ca-file = \"" + ca + "\"\n")
                .withFallback(FanOutE2ETest.hocon(site, port, swift.port(), urlA, urlB,
                        "tls-e2e-sync-key-secret-0123", "tls-e2e-peer-secret-0123456"))));
        running.add(0, p);
        return p;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
        running.clear();
    }

    @AfterEach
    void cleanup() {
        SWIFT_A.cleanup();
        SWIFT_B.cleanup();
    }

    private static HttpResponse<byte[]> via(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyA.port() + path))
                .timeout(Duration.ofSeconds(30)).header("X-Auth-Token", SWIFT_A.token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    @Test
    void theFanOutAndThePassThroughWorkOverHttpsEverywhere() {
        String c = FanOutSwiftSite.unique("tls");
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        HttpResponse<byte[]> put = via("PUT", containerPath(c), "", "X-Container-Meta-Color", "blue");
        assertEquals(201, put.statusCode(), text(put));
        assertEquals("a=201, b=201", header(put, "X-Autosync-Sites"), "b reached over https, and b its Swift");
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            HttpResponse<byte[]> h = s.head(containerPath(c));
            assertEquals("blue", header(h, "X-Container-Meta-Color"), "at " + s.name);
            assertNotNull(header(h, "X-Container-Sync-To"), "sync wired at " + s.name);
        }
        // objects stream through to Swift a over TLS, both ways
        String body = "x".repeat(200_000);
        assertEquals(201, via("PUT", objectPath(c, "o"), body).statusCode());
        HttpResponse<byte[]> get = via("GET", objectPath(c, "o"), null);
        assertEquals(200, get.statusCode());
        assertEquals(body, text(get));
        // a tempauth login through the proxy reaches Swift a's auth over TLS
        HttpResponse<byte[]> login = SwiftLab.login(URI.create("http://127.0.0.1:" + proxyA.port()),
                SwiftLab.USER, SwiftLab.KEY);
        assertEquals(200, login.statusCode());
    }

    /** A proxy whose listener speaks TLS and takes peer requests only with a client certificate. */
    private static AutosyncProxy mutual(String site, int port, int swiftPort, String urlA, String urlB,
                                        TestCerts.Pem serverAndClient, boolean presentCertificate) throws Exception {
        return AutosyncProxy.start(Settings.fromConfig(ConfigFactory.parseString(
                "autosync.listen-tls { cert-file = \"" + serverAndClient.cert() + "\", key-file = \""
                        + serverAndClient.key() + "\", peer-client-ca-file = \"" + certs.caFile() + "\" }\n"
                        + "autosync.tls.ca-file = \"" + certs.caFile() + "\"\n"
                        + (presentCertificate ? "autosync.tls { cert-file = \"" + serverAndClient.cert()
                        + "\", key-file = \"" + serverAndClient.key() + "\" }\n" : ""))
                .withFallback(FanOutE2ETest.hocon(site, port, swiftPort, urlA, urlB,
                        "tls-e2e-sync-key-secret-0123", "tls-e2e-peer-secret-0123456"))));
    }

    @Test
    void peersOverMutualTlsAndAPeerWithoutACertificateIsRefused() throws Exception {
        TestCerts.Pem leaf = certs.leaf("mutual");
        int[] ports = FanOutE2ETest.freePorts(2);
        String urlA = "https://127.0.0.1:" + ports[0];
        String urlB = "https://127.0.0.1:" + ports[1];
        try (AutosyncProxy b = mutual("b", ports[1], SWIFT_B.port(), urlA, urlB, leaf, true)) {
            String c = FanOutSwiftSite.unique("mtls");
            SWIFT_A.track(c);
            SWIFT_B.track(c);
            try (AutosyncProxy a = mutual("a", ports[0], SWIFT_A.port(), urlA, urlB, leaf, true)) {
                HttpResponse<byte[]> put = FanOutSwiftSite.send(HttpRequest.newBuilder(
                        URI.create(urlA + containerPath(c))).header("X-Auth-Token", SWIFT_A.token())
                        .PUT(HttpRequest.BodyPublishers.noBody()), trustingClient());
                assertEquals("a=201, b=201", header(put, "X-Autosync-Sites"), text(put));
            }
            String d = FanOutSwiftSite.unique("mtls-nocert");
            SWIFT_A.track(d);
            SWIFT_B.track(d);
            try (AutosyncProxy a = mutual("a", ports[0], SWIFT_A.port(), urlA, urlB, leaf, false)) {
                HttpResponse<byte[]> put = FanOutSwiftSite.send(HttpRequest.newBuilder(
                        URI.create(urlA + containerPath(d))).header("X-Auth-Token", SWIFT_A.token())
                        .PUT(HttpRequest.BodyPublishers.noBody()), trustingClient());
                assertEquals(503, put.statusCode(), text(put));
                assertEquals("a=201, b=403", header(put, "X-Autosync-Sites"), "b wants a client certificate");
                assertEquals(404, SWIFT_B.head(containerPath(d)).statusCode());
            }
        }
    }

    /** The JDK's client, trusting the test CA: the client of a TLS listener. */
    private static java.net.http.HttpClient trustingClient() throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        ks.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(certs.caFile())) {
            ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return java.net.http.HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void aPeerWhoseCertificateIsNotTrustedIsNeverSentTheRequest() throws Exception {
        TestCerts stranger = new TestCerts(dir, "stranger");
        int port = FanOutE2ETest.freePorts(1)[0];
        try (TlsRelay impostor = new TlsRelay(dir, stranger.leaf("impostor"), SWIFT_B.port() /* anything */);
             AutosyncProxy a = AutosyncProxy.start(Settings.fromConfig(ConfigFactory.parseString(
                     "autosync.tls.ca-file = \"" + certs.caFile() + "\"\n").withFallback(FanOutE2ETest.hocon("a",
                     port, SWIFT_A.port(), "http://127.0.0.1:" + port, impostor.url(),
                     "tls-e2e-sync-key-secret-0123", "tls-e2e-peer-secret-0123456"))))) {
            String c = FanOutSwiftSite.unique("tls-impostor");
            SWIFT_A.track(c);
            SWIFT_B.track(c);
            HttpResponse<byte[]> r = FanOutSwiftSite.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.port() + containerPath(c))).header("X-Auth-Token",
                    SWIFT_A.token()).PUT(HttpRequest.BodyPublishers.noBody()));
            assertEquals(503, r.statusCode(), text(r));
            assertTrue(text(r).contains("b: error: TlsFailure"), text(r));
            assertEquals(404, SWIFT_B.head(containerPath(c)).statusCode());
        }
    }
}
