package org.autosync.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import org.autosync.proxy.internal.TextResponses;
import org.autosync.proxy.metrics.ProxyMetrics;

/** {@code /healthcheck}, {@code /status} and {@code /metrics} on the admin port. */
final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ProxyMetrics metrics;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterHealthProbe probe;
    private final StatusSource status;

    AdminRequestHandler(ProxyMetrics metrics, ClusterHealthProbe probe, StatusSource status) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.probe = requireNonNull(probe, "probe");
        this.status = requireNonNull(status, "status");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!req.decoderResult().isSuccess()) {
            send(ctx, TextResponses.of(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "bad request", true), false);
            return;
        }
        if (!head && !req.method().equals(HttpMethod.GET)) {
            send(ctx, TextResponses.of(ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "only GET and HEAD here", false), keepAlive);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        switch (path) {
            case "/healthcheck" -> probe.check().whenComplete((problem, err) -> ctx.executor().execute(() -> {
                FullHttpResponse r = problem == null && err == null
                        ? text(ctx, HttpResponseStatus.OK, "OK", "text/plain; charset=utf-8")
                        : TextResponses.of(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                                "local cluster unhealthy: " + (problem != null ? problem : err.toString()), false);
                send(ctx, r, keepAlive);
            }));
            case "/status" -> status.status().whenComplete((m, err) -> ctx.executor().execute(() -> {
                FullHttpResponse r;
                try {
                    r = err != null
                            ? TextResponses.of(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    "status unavailable: " + err, false)
                            : text(ctx, HttpResponseStatus.OK, JSON.writerWithDefaultPrettyPrinter()
                                    .writeValueAsString(m) + "\n", "application/json");
                } catch (JsonProcessingException e) {
                    r = TextResponses.of(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString(), false);
                }
                send(ctx, r, keepAlive);
            }));
            case "/metrics" -> send(ctx, text(ctx, HttpResponseStatus.OK, metrics.scrape(),
                    "text/plain; version=0.0.4; charset=utf-8"), keepAlive);
            default -> send(ctx, TextResponses.of(ctx.alloc(), HttpResponseStatus.NOT_FOUND,
                    "no such admin endpoint; try /healthcheck, /status or /metrics", false), keepAlive);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // admin clients that stall or break off get no more than a close
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body, String type) {
        ByteBuf buf = ctx.alloc().buffer(body.length());
        buf.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
