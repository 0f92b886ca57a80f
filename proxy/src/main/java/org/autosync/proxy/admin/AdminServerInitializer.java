package org.autosync.proxy.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.autosync.proxy.metrics.ProxyMetrics;

/** Admin connections: small requests, so aggregation is fine here (never on the data path). */
public final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ProxyMetrics metrics;
    private final ClusterHealthProbe probe;
    private final StatusSource status;

    public AdminServerInitializer(ProxyMetrics metrics, ClusterHealthProbe probe, StatusSource status) {
        this.metrics = metrics;
        this.probe = probe;
        this.status = status;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("read-timeout", new ReadTimeoutHandler(60))
                .addLast("http-codec", new HttpServerCodec(4096, 8192, 8192))
                .addLast("aggregator", new HttpObjectAggregator(16 * 1024))
                .addLast("admin", new AdminRequestHandler(metrics, probe, status));
    }
}
