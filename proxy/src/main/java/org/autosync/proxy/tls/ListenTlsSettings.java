package org.autosync.proxy.tls;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code autosync.listen-tls}: TLS on the client listener.
 *
 * @param certFile         PEM certificate chain the listener presents
 * @param keyFile          its PEM (PKCS#8) private key
 * @param peerClientCaFile PEM CA bundle: a peer request (signed, {@code X-Autosync-Peer-*}) must
 *                         come with a client certificate it signed; null: none asked for
 * @param reloadInterval   how often the files are looked at; changed files are loaded without a restart
 */
public record ListenTlsSettings(String certFile, String keyFile, String peerClientCaFile, Duration reloadInterval) {
    public ListenTlsSettings {
        requireNonNull(certFile, "certFile");
        requireNonNull(keyFile, "keyFile");
        requireNonNull(reloadInterval, "reloadInterval");
    }

    public boolean requiresPeerCertificates() {
        return peerClientCaFile != null;
    }
}
