package org.autosync.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the connections Autosync opens itself (to the local cluster, the peers, Keystone and
 * tempauth): the JDK's provider, TLS 1.2 and 1.3, certificates checked against the system's trust
 * store or a configured CA bundle, and the host name checked against the certificate. Built once;
 * each connection gets its own handler.
 */
public final class ClientTls {
    private static final Logger log = LoggerFactory.getLogger(ClientTls.class);

    private final SslContext context;
    private final boolean verifyHost;

    private ClientTls(SslContext context, boolean verifyHost) {
        this.context = context;
        this.verifyHost = verifyHost;
    }

    /** From {@code autosync.tls}: a CA bundle (null: the system's trust store), or no checks at all. */
    public static ClientTls create(TlsSettings settings) {
        requireNonNull(settings, "settings");
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2");
        if (settings.insecure()) {
            log.warn("TLS: autosync.tls.insecure = true: certificates and host names of the local cluster, the peers "
                    + "and the auth service are NOT checked; anyone on the path can read and change this traffic");
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (settings.caFile() != null) {
            b.trustManager(new File(settings.caFile()));
        }
        if (settings.certFile() != null) {
            b.keyManager(new File(settings.certFile()), new File(settings.keyFile()));
        }
        try {
            return new ClientTls(b.build(), !settings.insecure());
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
        }
    }

    /** Whether {@code url} is to be reached over TLS. */
    public static boolean isHttps(URI url) {
        return url.getScheme() != null && url.getScheme().toLowerCase(Locale.ROOT).equals("https");
    }

    /** The port of {@code url}, its scheme's default when it names none. */
    public static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : isHttps(url) ? 443 : 80;
    }

    /**
     * A handler for one new connection to {@code host:port}; the host name is what the
     * certificate must name. The handshake gets {@code handshakeTimeout}, the connect budget, not
     * Netty's default of 10 s: a server that accepts and then stalls must cost no more than one
     * that does not accept.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, java.time.Duration handshakeTimeout) {
        SslHandler h = context.newHandler(alloc, host, port);
        h.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        if (verifyHost) {
            SSLEngine engine = h.engine();
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        return h;
    }

    /** What went wrong in a handshake, in one line an operator can act on. */
    public static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (msg.contains("PKIX path") || msg.contains("unable to find valid certification path")) {
            return "certificate not trusted (not signed by a CA in autosync.tls.ca-file or the system trust store)";
        }
        if (msg.contains("No subject alternative") || msg.contains("No name matching")) {
            return "certificate does not name this host (" + msg + ")";
        }
        if (msg.contains("validity check failed") || msg.contains("NotAfter") || msg.contains("expired")) {
            return "certificate expired or not yet valid (" + msg + ")";
        }
        return msg;
    }
}
