package org.autosync.proxy.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.autosync.proxy.internal.RequestUris;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;

/**
 * An exchange answered by an operation on the whole (small) request rather than by streaming:
 * account and container operations that fan out, and requests from peers. The body is copied
 * out of Netty's buffers as it arrives, up to a cap, so no ByteBuf outlives its read.
 */
public final class BufferedExchange implements ClientExchange {
    private static final Logger log = LoggerFactory.getLogger(BufferedExchange.class);

    private enum State { RECEIVING, RUNNING, DONE }

    private final ChannelHandlerContext client;
    private final HttpRequest request;
    private final ExchangeOwner owner;
    private final int maxBody;
    private final BodyBudget budget;
    private long taken; // of budget, given back when the exchange is done
    private final Function<ClusterRequest, CompletableFuture<ClusterResponse>> operation;
    private final ProxyMetrics metrics;
    private final long startNanos = System.nanoTime();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private State state = State.RECEIVING;
    private boolean closeAfter;
    private boolean clientGone;

    public BufferedExchange(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner, int maxBody,
                            BodyBudget budget, Function<ClusterRequest, CompletableFuture<ClusterResponse>> operation,
                            ProxyMetrics metrics) {
        this.client = requireNonNull(client, "client");
        this.budget = requireNonNull(budget, "budget");
        this.request = requireNonNull(request, "request");
        this.owner = requireNonNull(owner, "owner");
        this.maxBody = maxBody;
        this.operation = requireNonNull(operation, "operation");
        this.metrics = requireNonNull(metrics, "metrics");
        this.closeAfter = !HttpUtil.isKeepAlive(request);
    }

    @Override
    public void start() {
        long length = HttpUtil.getContentLength(request, -1L);
        if (length > maxBody) {
            answer(tooLarge());
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            // We read this body ourselves; the client waits for our go-ahead.
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), client.voidPromise());
        }
    }

    @Override
    public void onClientContent(HttpContent content) {
        try {
            if (state != State.RECEIVING) {
                return;
            }
            if (content.decoderResult().isFailure()) {
                if (!(content.decoderResult().cause() instanceof PrematureChannelClosureException)) {
                    answer(ClusterResponse.text(400, "autosync: malformed request body"));
                }
                return;
            }
            ByteBuf buf = content.content();
            int n = buf.readableBytes();
            if (body.size() + n > maxBody) {
                answer(tooLarge());
                return;
            }
            if (!budget.tryTake(n)) {
                metrics.bodyRefused();
                answer(ClusterResponse.swiftError(503, "autosync: too many request bodies are being read at once "
                        + "(autosync.fan-out.max-buffered, " + budget.limit() + " bytes); try again later")
                        .with("Retry-After", "1"));
                return;
            }
            taken += n;
            buf.readBytes(body, n);
            if (content instanceof LastHttpContent) {
                run();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            content.release();
        }
    }

    private void run() {
        state = State.RUNNING;
        CompletableFuture<ClusterResponse> f;
        try {
            f = operation.apply(toClusterRequest());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((resp, err) -> client.executor().execute(() -> {
            if (err != null) {
                log.warn("{} {} failed", request.method(), AccessLog.safeUri(request.uri()), err);
                answer(ClusterResponse.text(500, "autosync: internal error: " + err.getClass().getSimpleName()));
            } else {
                answer(resp);
            }
        }));
    }

    private ClusterRequest toClusterRequest() {
        HttpHeaders h = request.headers();
        HeaderRules.stripHopByHop(h);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : h.names()) {
            headers.put(name, h.getAll(name));
        }
        if (client.channel().remoteAddress() instanceof InetSocketAddress a) {
            String ip = a.getAddress().getHostAddress();
            headers.put("X-Forwarded-For", List.of(HeaderRules.appendForwardedFor(h, ip)));
        }
        return new ClusterRequest(request.method().name(), RequestUris.escapeNonAscii(request.uri()), headers,
                body.toByteArray());
    }

    @Override
    public void onClientReadComplete() {
        if (state == State.RECEIVING) {
            client.read();
        }
    }

    @Override
    public void onClientWritabilityChanged() {
        // Responses here are small and written whole.
    }

    @Override
    public void onClientClosed() {
        clientGone = true;
        if (state == State.RECEIVING) {
            state = State.DONE; // an incomplete body: the operation never runs
            giveBack();
            log(499);
        }
        // A running operation finishes anyway: stopping a fan-out half way helps no one.
    }

    @Override
    public void onClientIdle(boolean outputMoving) {
        if (state == State.RECEIVING) {
            answer(ClusterResponse.text(408, "autosync: the request body stopped arriving"));
        }
    }

    @Override
    public void closeAfterResponse() {
        closeAfter = true;
    }

    private void answer(ClusterResponse resp) {
        if (state == State.DONE) {
            return;
        }
        if (state == State.RECEIVING) {
            closeAfter = true; // the unread rest of the body would look like the next request
        }
        state = State.DONE;
        giveBack(); // the answer is out (a fan-out's legs left running under `local` hold their own small copy)
        if (clientGone) {
            log(resp.status());
            return;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(resp.status()), Unpooled.wrappedBuffer(resp.body()));
        HttpHeaders h = r.headers();
        resp.headers().forEach((name, values) -> {
            if (!name.equals("content-length") && !name.equals("transfer-encoding") && !name.equals("connection")
                    && !name.equals("keep-alive")) {
                h.add(name, values);
            }
        });
        boolean head = request.method().equals(HttpMethod.HEAD);
        String length = resp.header("content-length");
        if (head && length != null) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, resp.body().length);
        }
        if (closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        var written = client.writeAndFlush(r);
        if (closeAfter) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        log(resp.status());
        owner.exchangeDone(this, closeAfter);
    }

    /** Autosync reads this body whole (fan-outs, peer requests, bulk deletes): the cap says which. */
    private ClusterResponse tooLarge() {
        return ClusterResponse.text(413, "autosync: a request body Autosync reads whole is limited to " + maxBody
                + " bytes here (account and container changes: autosync.fan-out.max-body; bulk deletes: 16 MiB,"
                + " or autosync.fan-out.max-buffered if smaller)");
    }

    private void giveBack() {
        budget.giveBack(taken);
        taken = 0;
    }

    private void log(int status) {
        metrics.requestDone(request.method(), status, body.size(), 0);
        AccessLog.line(client.channel(), request.method().name(), request.uri(), status,
                body.size(), 0, startNanos, -1);
    }
}
