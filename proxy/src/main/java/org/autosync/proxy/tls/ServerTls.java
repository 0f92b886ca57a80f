package org.autosync.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the client listener: TLS 1.2 and 1.3 through the JDK's provider, ALPN {@code http/1.1},
 * and, when a peer CA is configured, a client certificate asked for (not required: the Swift
 * clients of the site have none; peer requests are then refused without one). The files are
 * looked at every {@code reload-interval}: a certificate renewed on disk is used for new
 * connections without a restart; one that does not load is logged and the old one kept.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final ListenTlsSettings settings;
    private volatile SslContext context;
    private volatile String fingerprint;
    private final ScheduledExecutorService timer;

    public ServerTls(ListenTlsSettings settings) {
        this.settings = requireNonNull(settings, "settings");
        this.context = build(settings);
        this.fingerprint = fingerprint();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autosync-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /** Builds the context from the files, or fails naming what is wrong with them. */
    static SslContext build(ListenTlsSettings s) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(new File(s.certFile()), new File(s.keyFile()))
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            List.of(ApplicationProtocolNames.HTTP_1_1)));
            if (s.peerClientCaFile() != null) {
                b.trustManager(new File(s.peerClientCaFile())).clientAuth(ClientAuth.OPTIONAL);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the listener's TLS files: " + e.getMessage(), e);
        }
    }

    /** Starts looking at the files every {@code reload-interval}. */
    public void start() {
        long every = settings.reloadInterval().toMillis();
        timer.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    }

    /** Loads the files again if they changed since the last load; keeps the old context if they do not load. */
    public void reloadIfChanged() {
        String now = fingerprint();
        if (now.equals(fingerprint)) {
            return;
        }
        try {
            context = build(settings);
            fingerprint = now;
            log.info("TLS: the listener's certificate was loaded again from {}", settings.certFile());
        } catch (IllegalArgumentException e) {
            fingerprint = now; // say it once per change, not at every look
            log.error("TLS: the listener's files changed but do not load ({}); still serving the previous certificate",
                    e.getMessage());
        }
    }

    private String fingerprint() {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {settings.certFile(), settings.keyFile(), settings.peerClientCaFile()}) {
            if (f != null) {
                File file = new File(f);
                sb.append(file.lastModified()).append('/').append(file.length()).append(';');
            }
        }
        return sb.toString();
    }

    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    public boolean requiresPeerCertificates() {
        return settings.requiresPeerCertificates();
    }

    /**
     * The subject of the client certificate that {@code client}'s connection presented and the
     * peer CA verified; null when it presented none (or the listener has no TLS).
     */
    public static String verifiedClient(ChannelHandlerContext client) {
        SslHandler ssl = client.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            var certs = ssl.engine().getSession().getPeerCertificates();
            return certs.length == 0 ? null
                    : ((java.security.cert.X509Certificate) certs[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
