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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Buffered HTTP calls for the control path: container and account operations, peer calls,
 * service logins. Object data never goes through here.
 *
 * <p>Netty carries header values and paths byte for byte (python-swiftclient sends UTF-8
 * metadata raw), so what a client sent reaches every site unchanged and a peer's signature
 * covers exactly the bytes that travel. One connection per call: this path is rare and small.
 */
public final class ClusterClient {
    /** Thrown (as the failure of the future) when no complete answer came in time. */
    public static final class TimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    private static final int MAX_RESPONSE = 1 << 20;
    /** Headers this client sets itself. */
    private static final Set<String> OWN = Set.of(
            "connection", "content-length", "expect", "host", "upgrade", "keep-alive", "te", "trailer",
            "transfer-encoding", "proxy-connection");

    private final Bootstrap bootstrap;

    public ClusterClient(EventLoopGroup group, Class<? extends SocketChannel> channelClass, Duration connectTimeout) {
        requireNonNull(group, "group");
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
                                .addLast("aggregator", new HttpObjectAggregator(MAX_RESPONSE));
                    }
                });
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
        CompletableFuture<ClusterResponse> result = new CompletableFuture<>();
        String host = base.getHost();
        int port = base.getPort() == -1 ? 80 : base.getPort();
        ChannelFuture connect = bootstrap.connect(host, port);
        Channel ch = connect.channel();
        var timer = ch.eventLoop().schedule(() -> {
            if (result.completeExceptionally(new TimeoutException("no answer from " + host + ":" + port
                    + " within " + timeout.toMillis() + " ms"))) {
                ch.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause() instanceof ConnectTimeoutException
                        ? new TimeoutException("connect to " + host + ":" + port + " timed out") : f.cause();
                result.completeExceptionally(cause);
                return;
            }
            ch.pipeline().addLast("answer", new AnswerReceiver(result));
            ch.writeAndFlush(toNetty(base, req)).addListener(w -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(w.cause());
                    ch.close();
                }
            });
        });
        return result;
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
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
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

        AnswerReceiver(CompletableFuture<ClusterResponse> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
            if (resp.decoderResult().isFailure()) {
                result.completeExceptionally(new IOException("invalid response: " + resp.decoderResult().cause()));
            } else {
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (String name : resp.headers().names()) {
                    headers.put(name, resp.headers().getAll(name));
                }
                result.complete(new ClusterResponse(resp.status().code(), headers,
                        ByteBufUtil.getBytes(resp.content())));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new ClosedChannelException());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
