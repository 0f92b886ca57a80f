package org.autosync.proxy.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.internal.ClientAddress;
import org.autosync.proxy.internal.RequestUris;
import org.autosync.proxy.internal.TextResponses;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.upstream.UpstreamListener;
import org.autosync.proxy.upstream.UpstreamPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one request to the local cluster and its response back, never holding a body.
 *
 * <p>Backpressure both ways: the client is read only while the upstream connection is writable,
 * and the upstream only while the client is. A request body that does not arrive whole (client
 * gone, broken chunk) is never completed upstream: the upstream connection is closed instead, so
 * Swift stores nothing. A response that does not arrive whole closes the client connection, so
 * the client never sees a truncated response as complete.
 */
public final class PassThroughExchange implements ClientExchange, UpstreamListener {
    private static final Logger log = LoggerFactory.getLogger(PassThroughExchange.class);

    /** What has happened to the request body on its way upstream. */
    enum RequestState {
        /** Waiting for an upstream connection; body parts queue in {@code early}. */
        CONNECTING,
        /** Forwarding body parts as they come. */
        STREAMING,
        /** The last part is written upstream. */
        COMPLETE,
        /** The exchange was answered or abandoned before the body ended; parts are dropped. */
        DISCARDING
    }

    enum ResponseState { AWAITING_HEAD, STREAMING, DONE }

    private final ChannelHandlerContext client;
    private final HttpRequest request;
    private final ExchangeOwner owner;
    private final UpstreamPool pool;
    private final Settings settings;
    private final ProxyMetrics metrics;
    private final HttpMethod method;
    private final String uri;
    private final boolean http10Client;
    private final boolean expectContinue;
    private final long startNanos = System.nanoTime();

    /** Made when a body part arrives before the upstream connection, which a pooled one rarely does. */
    private ArrayDeque<HttpContent> early;
    private Channel upstream;
    private RequestState requestState = RequestState.CONNECTING;
    private ResponseState responseState = ResponseState.AWAITING_HEAD;
    private boolean clientBodyEnded;
    private boolean requestWrittenUpstream;
    private boolean continueSent;
    private boolean inInterim;
    private boolean closeAfter;
    private boolean upstreamReusable = true;
    private boolean clientGone;
    /** The request went out a second time, after a pooled connection closed without answering. */
    private boolean resent;
    private long upstreamSentNanos;
    private long bytesIn;
    private long bytesOut;
    /** {@link #bytesOut} when the client connection last went idle: did the response move since? */
    private long bytesOutAtIdle = -1;
    private int status;
    private int upstreamStatus;

    public PassThroughExchange(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner,
                               UpstreamPool pool, Settings settings, ProxyMetrics metrics) {
        this.client = requireNonNull(client, "client");
        this.request = requireNonNull(request, "request");
        this.owner = requireNonNull(owner, "owner");
        this.pool = requireNonNull(pool, "pool");
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.method = request.method();
        this.uri = request.uri();
        this.http10Client = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        this.expectContinue = HttpUtil.is100ContinueExpected(request);
        this.closeAfter = !HttpUtil.isKeepAlive(request);
    }

    @Override
    public void start() {
        prepareUpstreamHead();
        Future<Channel> f = pool.acquire(this);
        if (f.isDone()) {
            onUpstreamAcquired(f);
        } else {
            f.addListener(this::onUpstreamAcquired);
        }
    }

    private void prepareUpstreamHead() {
        HttpHeaders h = request.headers();
        HeaderRules.stripHopByHop(h);
        if (!expectContinue) {
            // An HTTP/1.0 client cannot take a 100 Continue; do not ask the cluster for one.
            h.remove(HttpHeaderNames.EXPECT);
        }
        String ip = ClientAddress.ip(client.channel());
        if (ip != null) {
            h.set(HeaderRules.X_FORWARDED_FOR, HeaderRules.appendForwardedFor(h, ip));
        }
        // the scheme the client used to reach this proxy
        h.set(HeaderRules.X_FORWARDED_PROTO, client.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null
                ? HeaderRules.HTTPS : HeaderRules.HTTP);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(RequestUris.escapeNonAscii(request.uri()));
    }

    private void onUpstreamAcquired(Future<? super Channel> f) {
        if (!f.isSuccess()) {
            metrics.upstreamError();
            log.warn("cannot connect to the local cluster {}: {}", settings.localCluster(), f.cause().toString());
            answer(HttpResponseStatus.BAD_GATEWAY, "autosync: cannot reach the local Swift cluster at "
                    + settings.localClusterHost() + ":" + settings.localClusterPort());
            return;
        }
        Channel ch = (Channel) f.getNow();
        if (clientGone || responseState == ResponseState.DONE) {
            pool.release(ch); // nothing was written on it: still as good as new
            return;
        }
        upstream = ch;
        upstreamSentNanos = System.nanoTime();
        ch.write(request, ch.voidPromise());
        requestState = RequestState.STREAMING;
        if (early != null) {
            HttpContent c;
            while ((c = early.poll()) != null) {
                forward(c);
            }
        }
        ch.flush();
        ch.read();
        readClientIfUpstreamWritable();
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void onClientContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            clientBodyBroken(cause);
            return;
        }
        if (content instanceof LastHttpContent) {
            clientBodyEnded = true;
        }
        switch (requestState) {
            case CONNECTING -> {
                if (early == null) {
                    early = new ArrayDeque<>(2);
                }
                early.add(content);
            }
            case STREAMING -> forward(content);
            default -> content.release();
        }
    }

    private void forward(HttpContent content) {
        bytesIn += content.content().readableBytes();
        if (content instanceof LastHttpContent last) {
            requestState = RequestState.COMPLETE;
            if (!last.trailingHeaders().isEmpty()) {
                // Swift needs no trailers, and a server that misreads them would lose the framing
                // of the pooled connection: send the data, then a bare end of body
                if (last.content().isReadable()) {
                    upstream.write(new DefaultHttpContent(last.content().retain()), upstream.voidPromise());
                }
                last.release();
                content = LastHttpContent.EMPTY_LAST_CONTENT;
            }
            upstream.write(content).addListener(this::onRequestWritten);
        } else {
            upstream.write(content, upstream.voidPromise());
        }
    }

    private void onRequestWritten(Future<? super Void> f) {
        if (!f.isSuccess() || responseState != ResponseState.AWAITING_HEAD) {
            return;
        }
        requestWrittenUpstream = true;
        if (upstream != null) {
            UpstreamPool.expectResponse(upstream, settings.responseHeaderTimeout().toNanos());
        }
    }

    @Override
    public void onClientReadComplete() {
        if (requestState == RequestState.STREAMING) {
            upstream.flush();
            readClientIfUpstreamWritable();
        } else if (requestState == RequestState.COMPLETE && upstream != null) {
            upstream.flush();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged() {
        readClientIfUpstreamWritable();
    }

    private void readClientIfUpstreamWritable() {
        if (requestState == RequestState.STREAMING && !clientBodyEnded && upstream.isWritable()) {
            client.read();
        }
    }

    @Override
    public void onClientWritabilityChanged() {
        if (responseState == ResponseState.STREAMING && client.channel().isWritable() && upstream != null) {
            upstream.read();
        }
    }

    @Override
    public void onClientClosed() {
        clientGone = true;
        releaseEarly();
        if (responseState != ResponseState.DONE) {
            // Closing (never completing) the upstream request is what tells Swift to store nothing.
            status = 499;
            finish(false);
        }
    }

    @Override
    public void onClientIdle(boolean outputMoving) {
        if (responseState == ResponseState.AWAITING_HEAD) {
            if (requestState == RequestState.COMPLETE || resent) {
                return; // the response-header (or connect) timeout is in charge
            }
            if (expectContinue && !continueSent && upstream != null) {
                answer(HttpResponseStatus.GATEWAY_TIMEOUT,
                        "autosync: the local Swift cluster did not answer Expect: 100-continue in time");
            } else {
                answer(HttpResponseStatus.REQUEST_TIMEOUT,
                        "autosync: the request body stopped arriving; upload aborted");
            }
            return;
        }
        if (responseState == ResponseState.STREAMING) {
            boolean moved = outputMoving || bytesOut != bytesOutAtIdle;
            bytesOutAtIdle = bytesOut;
            if (moved) {
                // A client sends nothing while it downloads: that alone is not idleness. The
                // response moved since the last look (at most one idle period ago): look again.
                return;
            }
            log.debug("{} {}: no progress for {}; closing", method, AccessLog.safeUri(uri), settings.idleTimeout());
            status = status == 0 ? 504 : status;
            abortResponse();
        }
    }

    @Override
    public void closeAfterResponse() {
        closeAfter = true;
    }

    private void clientBodyBroken(Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            // The client went away mid-body; onClientClosed follows and aborts upstream.
            return;
        }
        log.debug("{} {}: malformed request body: {}", method, AccessLog.safeUri(uri), cause.toString());
        answer(HttpResponseStatus.BAD_REQUEST, "autosync: malformed request body: " + cause.getMessage());
    }

    // ---------------------------------------------------------------- upstream side

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                io.netty.util.ReferenceCountUtil.release(msg);
                metrics.upstreamError();
                log.warn("invalid response from the local cluster for {} {}: {}", method, AccessLog.safeUri(uri),
                        response.decoderResult().cause().toString());
                upstreamReusable = false;
                if (responseState == ResponseState.AWAITING_HEAD) {
                    answer(HttpResponseStatus.BAD_GATEWAY, "autosync: invalid response from the local Swift cluster");
                } else {
                    abortResponse();
                }
                return;
            }
            onResponseHead(response);
        }
        if (msg instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    private void onResponseHead(HttpResponse response) {
        int code = response.status().code();
        if (code < 200) {
            inInterim = true;
            if (code == 100 && expectContinue && !continueSent && responseState == ResponseState.AWAITING_HEAD) {
                continueSent = true;
                client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER), client.voidPromise());
            }
            return;
        }
        if (responseState != ResponseState.AWAITING_HEAD) {
            return;
        }
        if (upstream != null) {
            UpstreamPool.responseStarted(upstream);
        }
        metrics.upstreamLatency(System.nanoTime() - upstreamSentNanos);
        status = upstreamStatus = code;
        responseState = ResponseState.STREAMING;
        if (!requestWrittenUpstream) {
            // An early final answer (401, 404, 413 ...): the body will not be sent, so neither
            // connection is in a known state for another request.
            upstreamReusable = false;
            if (!clientBodyEnded) {
                closeAfter = true;
            }
            if (requestState != RequestState.COMPLETE) {
                requestState = RequestState.DISCARDING;
                releaseEarly();
            }
        }
        if (!HttpUtil.isKeepAlive(response)) {
            upstreamReusable = false;
        }
        HttpHeaders h = response.headers();
        HeaderRules.stripHopByHop(h);
        boolean bodyless = method.equals(HttpMethod.HEAD) || code == 204 || code == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean framed = bodyless || chunked || h.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (!framed) {
            upstreamReusable = false; // the body ends when the cluster closes
        }
        if (http10Client) {
            if (chunked) {
                h.remove(HttpHeaderNames.TRANSFER_ENCODING);
                closeAfter = true; // an HTTP/1.0 body without length ends at close
            } else if (!framed) {
                closeAfter = true;
            }
        } else if (!framed) {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Client) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        client.write(response, client.voidPromise());
    }

    private void onResponseContent(HttpContent content) {
        if (inInterim) {
            content.release();
            if (content instanceof LastHttpContent) {
                inInterim = false;
            }
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            metrics.upstreamError();
            log.warn("{} {}: the local cluster broke off the response: {}", method, AccessLog.safeUri(uri),
                    content.decoderResult().cause().toString());
            upstreamReusable = false;
            abortResponse();
            return;
        }
        if (responseState != ResponseState.STREAMING) {
            content.release();
            return;
        }
        bytesOut += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            responseState = ResponseState.DONE;
            if (closeAfter) {
                client.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE);
            } else {
                client.writeAndFlush(content, client.voidPromise());
            }
            finish(true);
        } else {
            client.write(content, client.voidPromise());
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (responseState == ResponseState.STREAMING) {
            client.flush();
            if (client.channel().isWritable()) {
                upstream.read();
            }
        } else if (responseState == ResponseState.AWAITING_HEAD) {
            upstream.read();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        Channel ch = upstream;
        upstream = null;
        boolean reused = ch != null && UpstreamPool.wasReused(ch);
        if (ch != null) {
            pool.discard(ch);
        }
        if (responseState == ResponseState.DONE) {
            return;
        }
        if (reused && mayResend()) {
            // The cluster closed a kept-alive connection as our request went out (its keep-alive
            // ended, or it gave up on the connection after the previous request): nothing was
            // answered, and a request without a body that changes nothing can go again.
            log.debug("{} {}: a pooled connection closed unanswered; sending again on a new one", method,
                    AccessLog.safeUri(uri));
            resent = true;
            requestState = RequestState.CONNECTING;
            requestWrittenUpstream = false;
            inInterim = false;
            early = new ArrayDeque<>(1);
            early.add(LastHttpContent.EMPTY_LAST_CONTENT);
            Future<Channel> f = pool.acquireNew(this);
            f.addListener(this::onUpstreamAcquired);
            return;
        }
        metrics.upstreamError();
        if (responseState == ResponseState.AWAITING_HEAD) {
            log.warn("{} {}: the local cluster closed the connection without answering{}", method, AccessLog.safeUri(uri),
                    cause == null ? "" : ": " + cause);
            answer(HttpResponseStatus.BAD_GATEWAY,
                    "autosync: the local Swift cluster closed the connection without answering");
        } else {
            log.warn("{} {}: the local cluster closed the connection mid-response", method, AccessLog.safeUri(uri));
            abortResponse();
        }
    }

    /** Once, for a whole request that has no body and changes nothing, before any answer. */
    private boolean mayResend() {
        return !resent && !clientGone && responseState == ResponseState.AWAITING_HEAD
                && requestState == RequestState.COMPLETE && bytesIn == 0 && !continueSent
                && (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)
                        || method.equals(HttpMethod.OPTIONS));
    }

    @Override
    public void onResponseTimeout() {
        if (responseState == ResponseState.AWAITING_HEAD) {
            metrics.upstreamError();
            answer(HttpResponseStatus.GATEWAY_TIMEOUT, "autosync: the local Swift cluster did not answer within "
                    + settings.responseHeaderTimeout().toSeconds() + " s");
        }
    }

    // ---------------------------------------------------------------- endings

    /** The proxy's own answer, given while no response has started. */
    private void answer(HttpResponseStatus s, String line) {
        if (responseState != ResponseState.AWAITING_HEAD) {
            return;
        }
        responseState = ResponseState.DONE;
        status = s.code();
        upstreamReusable = false;
        if (!clientBodyEnded || requestState == RequestState.CONNECTING) {
            closeAfter = true; // the rest of the body would arrive as the "next request"
        }
        if (requestState != RequestState.COMPLETE) {
            requestState = RequestState.DISCARDING;
        }
        releaseEarly();
        if (!clientGone) {
            var written = client.writeAndFlush(TextResponses.of(client.alloc(), s, line, closeAfter));
            if (closeAfter) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
        finish(true);
    }

    /** A response was started and cannot be finished: the client must see a broken connection. */
    private void abortResponse() {
        responseState = ResponseState.DONE;
        upstreamReusable = false;
        closeAfter = true;
        client.flush();
        client.close();
        finish(true);
    }

    private void finish(boolean notifyOwner) {
        responseState = ResponseState.DONE;
        Channel ch = upstream;
        upstream = null;
        if (ch != null) {
            if (upstreamReusable && requestState == RequestState.COMPLETE && requestWrittenUpstream && !clientGone) {
                pool.release(ch);
            } else {
                pool.discard(ch);
            }
        }
        if (requestState != RequestState.COMPLETE) {
            requestState = RequestState.DISCARDING;
        }
        metrics.requestDone(method, status, bytesIn, bytesOut);
        AccessLog.line(client.channel(), method.name(), uri, status, bytesIn, bytesOut,
                startNanos, upstreamStatus);
        if (notifyOwner) {
            owner.exchangeDone(this, closeAfter);
        }
    }

    private void releaseEarly() {
        if (early == null) {
            return;
        }
        HttpContent c;
        while ((c = early.poll()) != null) {
            c.release();
        }
    }
}
