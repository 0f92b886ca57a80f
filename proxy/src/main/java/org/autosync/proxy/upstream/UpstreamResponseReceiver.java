package org.autosync.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.autosync.proxy.internal.LazyDeadline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upstream connection: hands what the cluster sends to the current lessee, and
 * looks after the connection while it idles in the pool.
 */
final class UpstreamResponseReceiver extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamResponseReceiver.class);

    private final UpstreamPool pool;
    private final long poolIdleNanos;
    private UpstreamListener listener;
    private Throwable failure;
    /** The response-header timeout: one lazy timer per connection, not a task per request. */
    private LazyDeadline responseDeadline;
    /** How long the connection may wait in the pool, unused; kept here, not in an extra handler. */
    private LazyDeadline poolIdle;
    private ChannelHandlerContext ctx;
    /** How many exchanges were bound to the connection, the current one included. */
    private int leases;

    UpstreamResponseReceiver(UpstreamPool pool, long poolIdleNanos) {
        this.pool = pool;
        this.poolIdleNanos = poolIdleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        responseDeadline = new LazyDeadline(ctx.executor(), this::onResponseDeadline);
        poolIdle = new LazyDeadline(ctx.executor(), this::onPoolIdle);
    }

    void bind(UpstreamListener l) {
        listener = l;
        leases++;
        poolIdle.disarm();
    }

    boolean carriedAnEarlierExchange() {
        return leases > 1;
    }

    /** The lessee is done with the connection: from now on it idles (until closed or leased). */
    void unbind() {
        listener = null;
        responseDeadline.disarm();
        if (poolIdleNanos > 0) {
            poolIdle.arm(poolIdleNanos);
        }
    }

    private void onPoolIdle() {
        if (listener == null) {
            ctx.close();
        }
    }

    /** The request is out: the lessee hears {@code onResponseTimeout} unless a response starts in time. */
    void expectResponseWithin(long nanos) {
        responseDeadline.arm(nanos);
    }

    void responseStarted() {
        responseDeadline.disarm();
    }

    private void onResponseDeadline() {
        UpstreamListener l = listener;
        if (l != null) {
            l.onResponseTimeout();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l != null && msg instanceof HttpObject http) {
            l.onUpstreamMessage(http);
            return;
        }
        // Bytes on a pooled, idle connection answer no request of ours: the connection is unusable.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        responseDeadline.cancel();
        poolIdle.cancel();
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamClosed(failure);
        } else {
            pool.forgetIdle(ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        log.debug("upstream connection {} failed", ctx.channel(), cause);
        ctx.close();
    }
}
