package org.autosync.proxy.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the TLS tests, made fresh in a directory: a CA, and leaves it signs (for
 * 127.0.0.1 and localhost, for another host, expired), as PEM files a proxy's config can name.
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key, as PEM files. */
    public record Pem(Path cert, Path key) {
    }

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    public TestCerts(Path dir, String caName) throws Exception {
        this.dir = dir;
        this.caKeys = keys();
        X500Name name = new X500Name("CN=" + caName);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = sign(b, caKeys.getPrivate());
        this.caFile = write(caName + "-ca.pem", pem("CERTIFICATE", ca.getEncoded()));
    }

    public Path caFile() {
        return caFile;
    }

    /** A leaf for 127.0.0.1 and localhost, valid now. */
    public Pem leaf(String file) throws Exception {
        return leaf(file, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost"));
    }

    /** A leaf for another host name only. */
    public Pem wrongHost(String file) throws Exception {
        return leaf(file, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)),
                new GeneralName(GeneralName.dNSName, "other.example"));
    }

    /** A leaf for 127.0.0.1 whose validity ended yesterday. */
    public Pem expired(String file) throws Exception {
        return leaf(file, Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    }

    private Pem leaf(String file, Instant from, Instant to, GeneralName... names) throws Exception {
        KeyPair k = keys();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(ca.getSubjectX500Principal()
                .getName()), serial(), Date.from(from), Date.from(to), new X500Name("CN=" + file), k.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate cert = sign(b, caKeys.getPrivate());
        return new Pem(write(file + ".pem", pem("CERTIFICATE", cert.getEncoded())),
                write(file + ".key", pem("PRIVATE KEY", k.getPrivate().getEncoded())));
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder("SHA256withRSA").build(key)));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
