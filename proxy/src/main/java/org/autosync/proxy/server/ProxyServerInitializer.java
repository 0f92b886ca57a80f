package org.autosync.proxy.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;

import org.autosync.proxy.config.Settings;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.tls.ServerTls;

/** Builds a client connection's pipeline, one named step at a time. */
public final class ProxyServerInitializer extends ChannelInitializer<SocketChannel> {
    private final Settings settings;
    private final ProxyMetrics metrics;
    private final ChannelGroup clients;
    private final ExchangeFactory exchanges;
    private final ServerTls tls; // null: plain http

    public ProxyServerInitializer(Settings settings, ProxyMetrics metrics, ChannelGroup clients,
                                  ExchangeFactory exchanges, ServerTls tls) {
        this.tls = tls;
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clients = requireNonNull(clients, "clients");
        this.exchanges = requireNonNull(exchanges, "exchanges");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        clients.add(ch);
        metrics.clientConnected();
        ch.closeFuture().addListener(f -> metrics.clientDisconnected());
        ChannelPipeline p = ch.pipeline();
        addTls(p, ch);
        addHttpCodec(p);
        addRequestReceiver(p);
    }

    private void addTls(ChannelPipeline p, SocketChannel ch) {
        if (tls != null) {
            p.addLast("tls", tls.newHandler(ch.alloc()));
        }
    }

    private void addHttpCodec(ChannelPipeline p) {
        p.addLast("http-codec", new StrictHttpServerCodec(settings.maxInitialLine(), settings.maxHeaderSize(),
                Transport.MAX_CHUNK));
    }

    private void addRequestReceiver(ChannelPipeline p) {
        // the idle timeout lives in the receiver: it knows when a response is done
        p.addLast("request-receiver", new ClientRequestReceiver(exchanges, settings.idleTimeout()));
    }
}
