package org.autosync.proxy.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The lab's TLS mode for the end-to-end suites ({@code -Dautosync.e2e.tls=tls} or
 * {@code mutual}; {@code scripts/test} runs the fan-out, security and Keystone suites so): every
 * Swift proxy and the Keystone sit behind the lab's TLS terminators (HAProxy, {@code
 * SWIFT_LAB_TLS=1 scripts/swift-lab up}), certificates from the throwaway CA the lab made in
 * {@code $SWIFT_LAB_BASE/tls}; the proxies listen with TLS, talk https to their cluster, their
 * auth and each other, and with {@code mutual} present the lab's peer certificate and require
 * one. Off (the default), everything stays plain http and this class changes nothing.
 */
final class LabTls {
    enum Mode { OFF, TLS, MUTUAL }

    /** The terminator of a lab port listens this much higher (8081 -> 8441, 5000 -> 5360). */
    static final int PORT_OFFSET = 360;

    private static final Mode MODE = Mode.valueOf(System.getProperty("autosync.e2e.tls", "off")
            .toUpperCase(Locale.ROOT));
    private static SSLContext context;
    private static Path bundle;

    private LabTls() {
    }

    static Mode mode() {
        return MODE;
    }

    static boolean on() {
        return MODE != Mode.OFF;
    }

    /** Where a lab keeps its CA and certificates (its base: {@code SWIFT_LAB_BASE}, {@code autosync.ks.base}). */
    static Path dir(String base) {
        return Path.of(base, "tls");
    }

    static Path dir() {
        return dir(System.getenv().getOrDefault("SWIFT_LAB_BASE", "/tmp/swift-lab"));
    }

    /** How Autosync reaches a lab service listening on {@code port}: itself, or its TLS terminator. */
    static String labUrl(int port) {
        return on() ? "https://127.0.0.1:" + (port + PORT_OFFSET) : "http://127.0.0.1:" + port;
    }

    /** The same for a lab URL (Swift or Keystone): its terminator's, path kept, in this mode. */
    static String labUrl(String url) {
        if (!on()) {
            return url;
        }
        java.net.URI u = java.net.URI.create(url);
        return "https://" + u.getHost() + ":" + (u.getPort() + PORT_OFFSET) + (u.getRawPath() == null ? ""
                : u.getRawPath());
    }

    /** How peers and test clients reach a proxy listening on {@code port}. */
    static String proxyUrl(int port) {
        return (on() ? "https" : "http") + "://127.0.0.1:" + port;
    }

    /**
     * Every lab CA there is, in one PEM file: the default lab's, and the Keystone lab's when
     * {@code autosync.ks.base} names one (each lab makes its own CA).
     */
    static synchronized Path caBundle() {
        if (bundle != null) {
            return bundle;
        }
        try {
            StringBuilder all = new StringBuilder(Files.readString(dir().resolve("ca.pem"), StandardCharsets.US_ASCII));
            String ks = System.getProperty("autosync.ks.base");
            if (ks != null && Files.isReadable(dir(ks).resolve("ca.pem"))) {
                all.append('\n').append(Files.readString(dir(ks).resolve("ca.pem"), StandardCharsets.US_ASCII));
            }
            Path f = Files.createTempFile("autosync-lab-ca", ".pem");
            f.toFile().deleteOnExit();
            Files.writeString(f, all, StandardCharsets.US_ASCII);
            return bundle = f;
        } catch (IOException e) {
            throw new AssertionError("the lab's CA in " + dir() + " does not load (SWIFT_LAB_TLS=1 "
                    + "scripts/swift-lab up makes it): " + e, e);
        }
    }

    /** The proxies' TLS settings in this mode; empty when off. */
    static Config hocon() {
        if (!on()) {
            return ConfigFactory.empty();
        }
        Path d = dir();
        String s = "autosync.tls.ca-file = \"" + caBundle() + "\"\n"
                + "autosync.listen-tls.cert-file = \"" + d.resolve("server.pem") + "\"\n"
                + "autosync.listen-tls.key-file = \"" + d.resolve("server.key") + "\"\n";
        if (MODE == Mode.MUTUAL) {
            s += "autosync.listen-tls.peer-client-ca-file = \"" + d.resolve("ca.pem") + "\"\n"
                    + "autosync.tls.cert-file = \"" + d.resolve("peer.pem") + "\"\n"
                    + "autosync.tls.key-file = \"" + d.resolve("peer.key") + "\"\n";
        }
        return ConfigFactory.parseString(s);
    }

    /**
     * Trusts the lab's CA and, with {@code mutual}, presents the peer certificate (as a proxy, or
     * an attacker holding one, would): the test clients' context. Plain JDK defaults when off.
     */
    static synchronized SSLContext context() {
        if (context != null) {
            return context;
        }
        try {
            if (!on()) {
                return context = SSLContext.getDefault();
            }
            Path d = dir();
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(caBundle())) {
                trust.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (MODE == Mode.MUTUAL) {
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                keys.setKeyEntry("peer", privateKey(d.resolve("peer.key")), new char[0],
                        certificates(d.resolve("peer.pem")).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context = ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError("the lab's TLS files in " + dir() + " do not load (SWIFT_LAB_TLS=1 "
                    + "scripts/swift-lab up makes them): " + e, e);
        }
    }

    /** A connection to a proxy on {@code port}: TLS (handshake done) in this mode, else plain. */
    static Socket socket(int port) throws IOException {
        if (!on()) {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        }
        SSLSocket s = (SSLSocket) context().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.startHandshake();
        return s;
    }

    /** A listening socket for a stand-in server (the security suite's relay): TLS with the lab's certificate. */
    static ServerSocket serverSocket() throws IOException {
        if (!on()) {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        try {
            Path d = dir();
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            keys.setKeyEntry("server", privateKey(d.resolve("server.key")), new char[0],
                    certificates(d.resolve("server.pem")).toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
        } catch (GeneralSecurityException e) {
            throw new IOException("the lab's server certificate does not load: " + e, e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException,
            GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int from = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int to = text.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < 0) {
            throw new GeneralSecurityException(pem + ": not a PKCS#8 PEM key");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(from + 27, to));
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException(pem + ": neither an RSA nor an EC key");
    }
}
