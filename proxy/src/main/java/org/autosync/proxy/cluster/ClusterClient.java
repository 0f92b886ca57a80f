package org.autosync.proxy.cluster;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.autosync.proxy.tls.ClientTls;

/**
 * Buffered HTTP calls for the control path: container and account operations, peer calls,
 * service logins. Object data never goes through here.
 *
 * <p>Netty carries header values and paths byte for byte (python-swiftclient sends UTF-8
 * metadata raw), so what a client sent reaches every site unchanged and a peer's signature
 * covers exactly the bytes that travel. Connections are kept alive and reused per host (at most
 * 32 idle, none idle longer than 20 s); a kept connection the server closed before answering is
 * replaced by a new one for that one request.
 */
public final class ClusterClient {
    /** Thrown (as the failure of the future) when no complete answer came in time. */
    public static final class TimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    /** Listings of 1000 names with every byte escaped fit; nothing on the control path is bigger. */
    private static final int MAX_RESPONSE = 4 << 20;
    /** Headers this client sets itself. */
    private static final Set<String> OWN = Set.of(
            "connection", "content-length", "expect", "host", "upgrade", "keep-alive", "te", "trailer",
            "transfer-encoding", "proxy-connection");

    private static final int MAX_IDLE_PER_HOST = 32;
    private static final long IDLE_MAX_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final Bootstrap bootstrap;
    private final Map<String, Deque<Idle>> idle = new ConcurrentHashMap<>();
    private final ClientTls tls;
    private final Duration connectTimeout;

    /** Plain http only: an https URL fails. */
    public ClusterClient(EventLoopGroup group, Class<? extends SocketChannel> channelClass, Duration connectTimeout) {
        this(group, channelClass, connectTimeout, null);
    }

    /** {@code tls}: how https servers are checked; null: https URLs fail. */
    public ClusterClient(EventLoopGroup group, Class<? extends SocketChannel> channelClass, Duration connectTimeout,
                         ClientTls tls) {
        requireNonNull(group, "group");
        this.tls = tls;
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http-codec", new HttpClientCodec())
                                .addLast("aggregator", new HttpObjectAggregator(MAX_RESPONSE))
                                .addLast("idle-guard", new IdleGuard());
                    }
                });
    }

    /** A TLS handshake that failed: the server's certificate, its name, or the protocol. */
    public static final class TlsFailure extends java.io.IOException {
        TlsFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The failure behind a future's {@code CompletionException} wrapper. */
    public static Throwable cause(Throwable err) {
        return err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                ? err.getCause() : err;
    }

    /** True for headers this client sets itself; callers' values for them are not sent. */
    public static boolean isRestricted(String name) {
        return OWN.contains(name.toLowerCase(Locale.ROOT));
    }

    public CompletableFuture<ClusterResponse> send(URI base, ClusterRequest req, Duration timeout) {
        String host = base.getHost();
        int port = ClientTls.port(base);
        boolean https = ClientTls.isHttps(base);
        if (https && tls == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no TLS client for " + base));
        }
        String key = (https ? "https://" : "http://") + host + ":" + port;
        Channel reused = takeIdle(key);
        if (reused == null) {
            return fresh(base, req, timeout, host, port, key);
        }
        CompletableFuture<ClusterResponse> first = new CompletableFuture<>();
        exchange(reused, true, base, req, timeout, host, port, key, first);
        // the server closed a kept-alive connection just as it was taken: once more on a new one,
        // but never a DELETE, which may have been carried out (a second one would answer 404)
        boolean resend = !req.method().equals("DELETE");
        return first.handle((r, e) -> e == null ? CompletableFuture.completedFuture(r)
                        : resend && cause(e) instanceof StaleConnection ? fresh(base, req, timeout, host, port, key)
                        : CompletableFuture.<ClusterResponse>failedFuture(cause(e)))
                .thenCompose(f -> f);
    }

    private CompletableFuture<ClusterResponse> fresh(URI base, ClusterRequest req, Duration timeout, String host,
                                                     int port, String key) {
        CompletableFuture<ClusterResponse> result = new CompletableFuture<>();
        ChannelFuture connect = bootstrap.connect(host, port);
        Channel ch = connect.channel();
        // a closed connection leaves the idle list on its own
        ch.closeFuture().addListener(f -> {
            Deque<Idle> d = idle.get(key);
            if (d != null) {
                d.removeIf(i -> i.channel() == ch);
            }
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause() instanceof ConnectTimeoutException
                        ? new TimeoutException("connect to " + host + ":" + port + " timed out") : f.cause();
                result.completeExceptionally(cause);
                return;
            }
            if (!ClientTls.isHttps(base)) {
                exchange(ch, false, base, req, timeout, host, port, key, result);
                return;
            }
            SslHandler ssl = tls.newHandler(ch.alloc(), host, port, connectTimeout);
            ch.pipeline().addFirst("tls", ssl);
            ssl.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    exchange(ch, false, base, req, timeout, host, port, key, result);
                } else {
                    result.completeExceptionally(new TlsFailure("TLS with " + host + ":" + port + " failed: "
                            + ClientTls.describe(h.cause()), h.cause()));
                    ch.close();
                }
            });
        });
        return result;
    }

    /** One request and its answer on {@code ch}; the connection goes back to the pool when both sides keep it. */
    private void exchange(Channel ch, boolean reused, URI base, ClusterRequest req, Duration timeout, String host,
                          int port, String key, CompletableFuture<ClusterResponse> result) {
        var timer = ch.eventLoop().schedule(() -> {
            if (result.completeExceptionally(new TimeoutException("no answer from " + host + ":" + port
                    + " within " + timeout.toMillis() + " ms"))) {
                ch.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        AnswerReceiver answer = new AnswerReceiver(result, reused, keepAlive -> {
            if (keepAlive && ch.isActive() && !result.isCompletedExceptionally()) {
                giveBack(key, ch);
            } else {
                ch.close();
            }
        });
        ch.pipeline().addBefore("idle-guard", "answer", answer);
        ch.writeAndFlush(toNetty(base, req)).addListener(w -> {
            if (!w.isSuccess()) {
                result.completeExceptionally(reused ? new StaleConnection(w.cause()) : w.cause());
                ch.close();
            }
        });
    }

    /** A kept-alive connection to {@code key} that is still open and not idle too long; null if none. */
    private Channel takeIdle(String key) {
        Deque<Idle> d = idle.get(key);
        if (d == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Idle i = d.pollFirst(); i != null; i = d.pollFirst()) {
            // Swift's proxy drops a connection idle for client_timeout (60 s): never take one near that
            if (i.channel().isActive() && now - i.since() < IDLE_MAX_NANOS) {
                return i.channel();
            }
            i.channel().close();
        }
        return null;
    }

    private void giveBack(String key, Channel ch) {
        Deque<Idle> d = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        if (d.size() < MAX_IDLE_PER_HOST) {
            d.offerFirst(new Idle(ch, System.nanoTime()));
        } else {
            ch.close();
        }
    }

    /** Closes every kept-alive connection (at shutdown). */
    public void closeIdle() {
        idle.values().forEach(d -> {
            for (Idle i = d.pollFirst(); i != null; i = d.pollFirst()) {
                i.channel().close();
            }
        });
    }

    private static FullHttpRequest toNetty(URI base, ClusterRequest req) {
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() || base.getRawPath().equals("/")
                ? req.pathWithQuery() : stripSlash(base.getRawPath()) + req.pathWithQuery();
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(req.method()), path,
                Unpooled.wrappedBuffer(req.body()));
        HttpHeaders h = r.headers();
        for (Map.Entry<String, List<String>> e : req.headers().entrySet()) {
            if (!isRestricted(e.getKey())) {
                h.add(e.getKey(), e.getValue());
            }
        }
        h.set(HttpHeaderNames.HOST, base.getRawAuthority());
        if (req.body().length > 0 || req.method().equals("PUT") || req.method().equals("POST")) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, req.body().length);
        }
        return r;
    }

    private static String stripSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static final class AnswerReceiver extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<ClusterResponse> result;
        private final boolean reused;
        private final java.util.function.Consumer<Boolean> done;

        /** {@code done} gets whether the connection may be kept, once the answer is complete. */
        AnswerReceiver(CompletableFuture<ClusterResponse> result, boolean reused,
                       java.util.function.Consumer<Boolean> done) {
            this.result = result;
            this.reused = reused;
            this.done = done;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
            ctx.pipeline().remove(this);
            if (resp.decoderResult().isFailure()) {
                result.completeExceptionally(new IOException("invalid response: " + resp.decoderResult().cause()));
                done.accept(false);
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String name : resp.headers().names()) {
                headers.put(name, resp.headers().getAll(name));
            }
            ClusterResponse answer = new ClusterResponse(resp.status().code(), headers,
                    ByteBufUtil.getBytes(resp.content()));
            // back in the pool before the caller hears of it: its next call can take this connection
            done.accept(HttpUtil.isKeepAlive(resp));
            result.complete(answer);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // closed before the answer: on a connection taken from the pool, the server had let it go
            result.completeExceptionally(reused ? new StaleConnection(new ClosedChannelException())
                    : new ClosedChannelException());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Between two calls nobody waits on the connection: a failure there only closes it. */
    private static final class IdleGuard extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg); // an answer nobody asked for
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A kept-alive connection that the server closed before answering: the request went nowhere. */
    static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(Throwable cause) {
            super("kept-alive connection closed before the answer", cause);
        }
    }

    private record Idle(Channel channel, long since) {
    }
}
