package org.autosync.proxy.tls;

/**
 * {@code autosync.tls}: how Autosync's own connections check the servers they reach over https,
 * and the client certificate they present (for peers that require one).
 *
 * @param caFile   PEM bundle of the CAs to trust; null: the system's trust store
 * @param insecure no certificate or host name checks at all (a loud warning at start-up)
 * @param certFile PEM client certificate chain, with {@code keyFile}; null: none
 * @param keyFile  PEM (PKCS#8) private key of {@code certFile}
 */
public record TlsSettings(String caFile, boolean insecure, String certFile, String keyFile) {
    public static final TlsSettings DEFAULTS = new TlsSettings(null, false, null, null);

    public TlsSettings {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("certFile and keyFile: both or neither");
        }
    }
}
