package org.autosync.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.RawBackend;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the client listener: clients speak https to Autosync, the data path keeps working
 * over it, a plain-http client is closed cleanly, and a renewed certificate is served without a
 * restart.
 */
class ListenTlsTest {
    @TempDir
    static Path dir;
    private static TestCerts certs;

    @BeforeAll
    static void setUp() throws Exception {
        certs = new TestCerts(dir, "listen");
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static AutosyncProxy proxy(int backend, Path cert, Path key) throws Exception {
        ListenTlsSettings s = new ListenTlsSettings(cert.toString(), key.toString(), null, Duration.ofHours(1));
        return TestProxy.start(backend, b -> b.listenTls(s));
    }

    private static String exchange(SSLSocket s, String request) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        byte[] buf = new byte[8192];
        int n = s.getInputStream().read(buf);
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void clientsSpeakHttpsToTheListenerAndTheDataPathWorksOverIt() throws Exception {
        TestCerts.Pem pem = certs.leaf("listener");
        java.util.concurrent.atomic.AtomicReference<String> firstHead = new java.util.concurrent.atomic.AtomicReference<>("");
        try (RawBackend backend = new RawBackend(c -> {
            for (int i = 0; i < 2; i++) {
                String head = c.readHead();
                firstHead.compareAndSet("", head);
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = proxy(backend.port(), pem.cert(), pem.key());
             SSLSocket s = (SSLSocket) trusting(certs.caFile()).getSocketFactory()
                     .createSocket(InetAddress.getLoopbackAddress(), proxy.port())) {
            var p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            assertEquals("http/1.1", s.getApplicationProtocol(), "ALPN");
            assertTrue(s.getSession().getProtocol().startsWith("TLSv1."), s.getSession().getProtocol());
            String first = exchange(s, "GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(first.startsWith("HTTP/1.1 200") && first.endsWith("ok"), first);
            String second = exchange(s, "GET /v1/AUTH_test/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(second.startsWith("HTTP/1.1 200"), "kept alive over TLS: " + second);
        }
        assertTrue(firstHead.get().toLowerCase(java.util.Locale.ROOT).contains("x-forwarded-proto: https"),
                "the scheme the client used: " + firstHead.get());
    }

    @Test
    void aPlainHttpClientOnTheTlsPortIsClosedAndTheProxyGoesOn() throws Exception {
        TestCerts.Pem pem = certs.leaf("listener-plain");
        try (RawBackend backend = new RawBackend(c -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            c.readUntilClose(1 << 10);
        }); AutosyncProxy proxy = proxy(backend.port(), pem.cert(), pem.key())) {
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                plain.setSoTimeout(5000);
                plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, plain.getInputStream().read(), "closed, no answer in clear text");
            }
            try (SSLSocket s = (SSLSocket) trusting(certs.caFile()).getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertTrue(exchange(s, "GET /o HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200"),
                        "the next client is served");
            }
        }
    }

    @Test
    void aCertificateRenewedOnDiskIsServedWithoutARestart() throws Exception {
        TestCerts.Pem old = certs.leaf("renew-old");
        Path cert = dir.resolve("serving.pem");
        Path key = dir.resolve("serving.key");
        Files.copy(old.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(old.key(), key, StandardCopyOption.REPLACE_EXISTING);
        try (RawBackend backend = new RawBackend(c -> c.readUntilClose(1 << 10));
             AutosyncProxy proxy = proxy(backend.port(), cert, key)) {
            assertEquals(serial(old.cert()), servedSerial(proxy));
            TestCerts.Pem renewed = certs.leaf("renew-new");
            Files.copy(renewed.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING);
            cert.toFile().setLastModified(System.currentTimeMillis() + 2000); // a new mtime, whatever the clock's grain
            proxy.serverTls().reloadIfChanged();
            assertEquals(serial(renewed.cert()), servedSerial(proxy));
            // a broken file keeps the previous certificate
            Files.writeString(cert, "not a certificate");
            cert.toFile().setLastModified(System.currentTimeMillis() + 4000);
            proxy.serverTls().reloadIfChanged();
            assertEquals(serial(renewed.cert()), servedSerial(proxy));
        }
    }

    @Test
    void filesThatDoNotLoadAreRefusedAtStart() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "junk");
        assertThrows(IllegalArgumentException.class, () -> new ServerTls(new ListenTlsSettings(junk.toString(),
                junk.toString(), null, Duration.ofMinutes(1))));
    }

    private static java.math.BigInteger serial(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    private static java.math.BigInteger servedSerial(AutosyncProxy proxy) throws Exception {
        try (SSLSocket s = (SSLSocket) trusting(certs.caFile()).getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
