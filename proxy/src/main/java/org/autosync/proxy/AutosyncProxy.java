package org.autosync.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.autosync.proxy.admin.AdminServerInitializer;
import org.autosync.proxy.admin.ClusterHealthProbe;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.federation.Federation;
import org.autosync.proxy.exchange.PassThroughExchange;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.server.ClientRequestReceiver;
import org.autosync.proxy.server.ExchangeFactory;
import org.autosync.proxy.server.ProxyServerInitializer;
import org.autosync.proxy.upstream.UpstreamPools;
import org.autosync.proxy.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running proxy: the client port, the admin port, and the pools behind them. */
public final class AutosyncProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AutosyncProxy.class);

    private final Settings settings;
    private final ProxyMetrics metrics;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final EventLoopGroup adminGroup;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final UpstreamPools pools;
    private final Federation federation;
    private final ServerTls serverTls; // null: the listener speaks plain http
    private final Channel serverChannel;
    private final Channel adminChannel;
    private volatile boolean closed;

    private AutosyncProxy(Settings settings, ProxyMetrics metrics) throws InterruptedException {
        this.settings = settings;
        this.metrics = metrics;
        Transport transport = Transport.best();
        bossGroup = transport.newGroup(1, "autosync-accept");
        workerGroup = transport.newGroup(settings.eventLoopThreads(), "autosync-io");
        adminGroup = transport.newGroup(1, "autosync-admin");
        serverTls = settings.listenTls() == null ? null : new ServerTls(settings.listenTls());
        try {
            pools = new UpstreamPools(workerGroup, transport, settings, metrics);
            metrics.registerClientQueueGauge(this::bytesQueuedForClients);
            ExchangeFactory passThrough = (ctx, request, owner) -> new PassThroughExchange(ctx, request, owner,
                    pools.forLoop(ctx.channel().eventLoop()), settings, metrics);
            federation = Federation.create(settings, metrics, workerGroup, transport);
            ExchangeFactory exchanges = federation.router(passThrough);
            serverChannel = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, Transport.readAllocator())
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.waterMark())
                    .childHandler(new ProxyServerInitializer(settings, metrics, clients, exchanges, serverTls))
                    .bind(settings.listen().toSocketAddress()).sync().channel();
            adminChannel = new ServerBootstrap()
                    .group(adminGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new AdminServerInitializer(metrics,
                            new ClusterHealthProbe(settings.localCluster(), Duration.ofSeconds(2)), federation::status))
                    .bind(settings.adminListen().toSocketAddress()).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownGroups();
            throw e;
        }
        federation.start();
        if (serverTls != null) {
            serverTls.start();
        }
        log.info("autosync listening on {} (admin {}), local cluster {}, transport {}, {} event loops",
                serverChannel.localAddress(), adminChannel.localAddress(), settings.localCluster(),
                transport, settings.eventLoopThreads());
    }

    /** What backpressure bounds: each connection holds at most its high water mark plus one read. */
    private long bytesQueuedForClients() {
        long sum = 0;
        for (Channel ch : clients) {
            // a volatile counter, safe to read off the channel's thread
            ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            if (out != null) {
                sum += out.totalPendingWriteBytes();
            }
        }
        return sum;
    }

    /** Binds both ports and returns once they accept connections. */
    public static AutosyncProxy start(Settings settings) throws InterruptedException {
        return new AutosyncProxy(requireNonNull(settings, "settings"), new ProxyMetrics());
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public int adminPort() {
        return ((InetSocketAddress) adminChannel.localAddress()).getPort();
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public Settings settings() {
        return settings;
    }

    /** The multi-site control plane (a pass-through one without sites). */
    public Federation federation() {
        return federation;
    }

    /** TLS of the client listener, or null (tests reload it on demand). */
    public ServerTls serverTls() {
        return serverTls;
    }

    /**
     * Stops accepting, lets in-flight exchanges finish for up to {@code grace}, then closes what is
     * left. Idle keep-alive connections close at once.
     */
    public void shutdown(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        serverChannel.close().syncUninterruptibly();
        adminChannel.close();
        for (Channel ch : clients) {
            ch.pipeline().fireUserEventTriggered(ClientRequestReceiver.DRAIN);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!clients.isEmpty()) {
            log.warn("{} client connection(s) still busy after {}; closing them", clients.size(), grace);
            clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        federation.close();
        if (serverTls != null) {
            serverTls.close();
        }
        pools.closeIdle();
        shutdownGroups();
        log.info("autosync stopped");
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    private void shutdownGroups() {
        var a = bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        var b = workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        var c = adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        a.awaitUninterruptibly(5, TimeUnit.SECONDS);
        b.awaitUninterruptibly(5, TimeUnit.SECONDS);
        c.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
