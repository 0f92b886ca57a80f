package org.autosync.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.tls.ClientTls;

/**
 * Keep-alive connections to the local cluster for ONE event loop. Only that loop touches it, so it
 * needs no locks, and a client's upstream connection always shares the client's thread.
 */
public final class UpstreamPool {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final int maxIdle;
    private final ProxyMetrics metrics;
    private int leased;
    private boolean closed;

    UpstreamPool(EventLoop loop, Transport transport, Settings settings, ProxyMetrics metrics, ClientTls tls) {
        this.loop = loop;
        this.maxIdle = settings.maxIdlePerLoop();
        this.metrics = metrics;
        long poolIdleNanos = settings.poolIdleTimeout().toNanos();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transport.readAllocator())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.waterMark())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .remoteAddress(settings.localClusterHost(), settings.localClusterPort())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), settings.localClusterHost(),
                                    settings.localClusterPort(), settings.connectTimeout()));
                        }
                        ch.pipeline()
                                // the local cluster is trusted: its header names are not re-validated
                                // (a client's are, by the server codec)
                                .addLast("http-codec", new HttpClientCodec(settings.maxInitialLine(),
                                        settings.maxHeaderSize(), Transport.MAX_CHUNK, false, false))
                                .addLast("response-receiver", new UpstreamResponseReceiver(UpstreamPool.this, poolIdleNanos));
                    }
                });
    }

    /**
     * A connection bound to {@code listener}: a pooled one when an idle one is alive, else a new
     * one. Must be called on this pool's event loop.
     */
    public Future<Channel> acquire(UpstreamListener listener) {
        Channel ch;
        while ((ch = idle.pollLast()) != null) {
            if (ch.isActive()) {
                leased++;
                receiver(ch).bind(listener);
                return loop.newSucceededFuture(ch);
            }
            ch.close();
        }
        return acquireNew(listener);
    }

    /**
     * A new connection bound to {@code listener}, never a pooled one: for a request that a pooled
     * connection dropped unanswered. Must be called on this pool's event loop.
     */
    public Future<Channel> acquireNew(UpstreamListener listener) {
        Promise<Channel> promise = loop.newPromise();
        ChannelFuture connect = bootstrap.connect();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            Channel ch = connect.channel();
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl == null) {
                bindNew(ch, listener, promise);
                return;
            }
            ssl.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    bindNew(ch, listener, promise);
                } else {
                    promise.setFailure(new java.io.IOException("TLS with the local cluster failed: "
                            + ClientTls.describe(h.cause()), h.cause()));
                    ch.close();
                }
            });
            if (!ssl.handshakeFuture().isDone()) {
                ch.read(); // auto-read is off: the handshake needs the server's answer read
            }
        });
        return promise;
    }

    private void bindNew(Channel ch, UpstreamListener listener, Promise<Channel> promise) {
        metrics.upstreamConnected();
        leased++;
        receiver(ch).bind(listener);
        promise.setSuccess(ch);
    }

    /**
     * Takes back a connection whose last exchange is complete both ways. A pending read stays on
     * it so that a close by the cluster is noticed while it idles.
     */
    public void release(Channel ch) {
        leased--;
        receiver(ch).unbind();
        if (!closed && ch.isActive() && idle.size() < maxIdle) {
            idle.addLast(ch);
            ch.read();
        } else {
            ch.close();
        }
    }

    /** Takes back a connection that must not carry another request. */
    public void discard(Channel ch) {
        leased--;
        receiver(ch).unbind();
        ch.close();
    }

    /**
     * The request on {@code ch} is fully written: its lessee hears
     * {@link UpstreamListener#onResponseTimeout} if no response starts within {@code nanos}.
     */
    public static void expectResponse(Channel ch, long nanos) {
        UpstreamResponseReceiver r = receiver(ch);
        if (r != null) {
            r.expectResponseWithin(nanos);
        }
    }

    /**
     * Whether {@code ch} carried a request before its current one: a pooled connection that the
     * cluster may have closed, or started to close, while it idled.
     */
    public static boolean wasReused(Channel ch) {
        UpstreamResponseReceiver r = receiver(ch);
        return r != null && r.carriedAnEarlierExchange();
    }

    /** A response started on {@code ch}: the deadline set by {@link #expectResponse} is off. */
    public static void responseStarted(Channel ch) {
        UpstreamResponseReceiver r = receiver(ch);
        if (r != null) {
            r.responseStarted();
        }
    }

    void forgetIdle(Channel ch) {
        idle.remove(ch);
    }

    public EventLoop loop() {
        return loop;
    }

    int idleCount() {
        return idle.size();
    }

    int leasedCount() {
        return leased;
    }

    void closeIdle() {
        closed = true;
        Channel ch;
        while ((ch = idle.pollFirst()) != null) {
            ch.close();
        }
    }

    private static UpstreamResponseReceiver receiver(Channel ch) {
        // the receiver is the last handler: no lookup by name per request
        return ch.pipeline().last() instanceof UpstreamResponseReceiver r
                ? r : (UpstreamResponseReceiver) ch.pipeline().get("response-receiver");
    }
}
