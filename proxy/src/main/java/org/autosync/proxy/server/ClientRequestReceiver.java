package org.autosync.proxy.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.autosync.proxy.exchange.ClientExchange;
import org.autosync.proxy.exchange.ExchangeOwner;
import org.autosync.proxy.internal.LazyDeadline;
import org.autosync.proxy.internal.TextResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a client connection. Turns each request into a {@link ClientExchange}, one at
 * a time: a pipelined request waits until the previous response is out. Rejects requests the
 * codec could not parse.
 */
public final class ClientRequestReceiver extends ChannelInboundHandlerAdapter implements ExchangeOwner {
    private static final Logger log = LoggerFactory.getLogger(ClientRequestReceiver.class);
    /**
     * Failed client handshakes and plain http on the TLS port: a client can cause any number, so
     * one line per 10 s at most for each kind (a scanner's noise does not hide a peer's failure).
     */
    private static final org.autosync.proxy.internal.LogEvery TLS_FAILURES_LOG =
            new org.autosync.proxy.internal.LogEvery(java.time.Duration.ofSeconds(10));
    private static final org.autosync.proxy.internal.LogEvery PLAIN_ON_TLS_LOG =
            new org.autosync.proxy.internal.LogEvery(java.time.Duration.ofSeconds(10));

    /** Fired down the pipeline to ask the connection to close once its response is out. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final ExchangeFactory exchanges;
    private final long idleNanos;
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    /**
     * The idle timeout, kept here rather than by an IdleStateHandler: no handler more for every
     * event to pass, and it restarts where it should, at each read and when a response is done.
     */
    private LazyDeadline idle;
    private ClientExchange current;
    private boolean closing;
    /** Bytes queued for the client at the last idle event; -1 before the first one. */
    private long pendingAtIdle = -1;

    /**
     * @param idleTimeout how long the client may send nothing before {@link #onIdle} looks at the
     *     connection (again after each further period); zero for never
     */
    public ClientRequestReceiver(ExchangeFactory exchanges, Duration idleTimeout) {
        this.exchanges = requireNonNull(exchanges, "exchanges");
        this.idleNanos = requireNonNull(idleTimeout, "idleTimeout").toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (idleNanos > 0) {
            idle = new LazyDeadline(ctx.executor(), this::onIdleDeadline);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        restartIdle();
        ctx.read();
        ctx.fireChannelActive();
    }

    private void restartIdle() {
        if (idle != null) {
            idle.arm(idleNanos);
        }
    }

    private void onIdleDeadline() {
        if (!ctx.channel().isActive()) {
            return;
        }
        restartIdle(); // the next look, one period on, unless something is read before
        onIdle();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && msg instanceof HttpRequest || !waiting.isEmpty()) {
            waiting.add(http);
            return;
        }
        dispatch(http);
    }

    private void dispatch(HttpObject msg) {
        if (msg instanceof HttpRequest request) {
            DecoderResult result = request.decoderResult();
            if (result.isFailure()) {
                ReferenceCountUtil.release(msg);
                reject(result.cause());
                return;
            }
            ClientExchange exchange = exchanges.create(ctx, request, this);
            current = exchange;
            exchange.start();
            if (msg instanceof HttpContent content) {
                // The content is this request's own, even if start() already finished the exchange.
                if (current == exchange) {
                    exchange.onClientContent(content);
                } else {
                    content.release();
                }
            }
        } else if (msg instanceof HttpContent content) {
            if (current != null) {
                current.onClientContent(content);
            } else {
                content.release(); // the rest of a body whose request was already answered
            }
        }
    }

    private void reject(Throwable cause) {
        HttpResponseStatus status;
        String line;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            line = "autosync: request line too long (limit autosync.limits.max-initial-line)";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            line = "autosync: request headers too large (limit autosync.limits.max-header-size)";
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.BAD_REQUEST;
            line = "autosync: request too large: " + cause.getMessage();
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            line = "autosync: malformed request: " + cause.getMessage();
        }
        log.debug("rejecting request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        closing = true;
        ctx.writeAndFlush(TextResponses.of(ctx.alloc(), status, line, true))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        restartIdle();
        if (current != null) {
            current.onClientReadComplete();
        }
    }

    @Override
    public void exchangeDone(ClientExchange exchange, boolean closeConnection) {
        if (exchange != current) {
            return;
        }
        current = null;
        // A keep-alive connection's idle time starts now, when its response is out, not at its
        // last request, however long the response took.
        restartIdle();
        if (closeConnection || closing) {
            closing = true;
            releaseWaiting();
            return; // the exchange closes the channel once its last write is out
        }
        // Requests that arrived while this one was served go next, in order: the next head and
        // its body parts, up to the head after it.
        while (!waiting.isEmpty() && !closing && (current == null || !(waiting.peek() instanceof HttpRequest))) {
            dispatch(waiting.poll());
        }
        if (current == null && !closing && ctx.channel().isActive()) {
            ctx.read();
        } else if (current != null) {
            current.onClientReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onClientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.cancel();
        }
        releaseWaiting();
        ClientExchange c = current;
        current = null;
        if (c != null) {
            c.onClientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DRAIN) {
            if (current == null) {
                closing = true;
                ctx.close();
            } else {
                current.closeAfterResponse();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (tls instanceof io.netty.handler.ssl.NotSslRecordException) {
            long left = PLAIN_ON_TLS_LOG.admit();
            if (left >= 0) {
                log.info("client {} spoke plain HTTP to the TLS listener; closed ({} such failures not logged "
                        + "since the last line)", ctx.channel().remoteAddress(), left);
            }
        } else if (tls instanceof javax.net.ssl.SSLException) {
            long left = TLS_FAILURES_LOG.admit();
            if (left >= 0) {
                log.info("TLS with client {} failed: {} ({} such failures not logged since the last line)",
                        ctx.channel().remoteAddress(), tls.getMessage(), left);
            }
        } else if (cause instanceof IOException) {
            log.debug("client connection {}: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("client connection {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }

    /** The client sent nothing for the idle timeout. */
    void onIdle() {
        boolean outputMoving = outputMoving(ctx);
        if (current != null) {
            current.onClientIdle(outputMoving);
        } else if (!outputMoving) {
            ctx.close(); // a slow reader of the last response is not idle
        }
    }

    /** Response bytes wait for the client, and not the same number as at the last idle event. */
    private boolean outputMoving(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        boolean moving = pending > 0 && pending != pendingAtIdle;
        pendingAtIdle = pending;
        return moving;
    }

    private void releaseWaiting() {
        HttpObject m;
        while ((m = waiting.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }
}
