package org.autosync.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream connection's last handler, on an EmbeddedChannel. The pool is real but never
 * connects: the receiver only asks it to forget a connection that closes while idle.
 */
class UpstreamResponseReceiverTest {
    private static NioEventLoopGroup group;
    private static UpstreamPool pool;

    private UpstreamResponseReceiver receiver;
    private EmbeddedChannel ch;
    private final List<Object> passedOn = new ArrayList<>();
    private final Listener listener = new Listener();

    /** Records calls; keeps the messages it is given so the test can inspect, then release them. */
    static final class Listener implements UpstreamListener {
        final List<HttpObject> messages = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final List<Throwable> closedWith = new ArrayList<>();

        @Override
        public void onUpstreamMessage(HttpObject msg) {
            calls.add("message");
            messages.add(msg);
        }

        @Override
        public void onUpstreamReadComplete() {
            calls.add("readComplete");
        }

        @Override
        public void onUpstreamWritabilityChanged() {
            calls.add("writability");
        }

        @Override
        public void onResponseTimeout() {
            calls.add("timeout");
        }

        @Override
        public void onUpstreamClosed(Throwable cause) {
            calls.add("closed");
            closedWith.add(cause);
        }

        void releaseAll() {
            messages.forEach(ReferenceCountUtil::release);
            messages.clear();
        }
    }

    @BeforeAll
    static void createPool() {
        group = new NioEventLoopGroup(1);
        Settings settings = Settings.builder().localCluster(URI.create("http://127.0.0.1:9")).build();
        pool = new UpstreamPools(group, Transport.NIO, settings, new ProxyMetrics()).forLoop(group.next());
    }

    @AfterAll
    static void shutdownGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void setUp() {
        receiver = new UpstreamResponseReceiver(pool, TimeUnit.MILLISECONDS.toNanos(100));
        ch = new EmbeddedChannel();
        ch.pipeline().addLast("response-receiver", receiver);
        ch.pipeline().addLast("after", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add(msg);
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                passedOn.add(evt);
            }
        });
    }

    @AfterEach
    void tearDown() {
        listener.releaseAll();
        assertFalse(ch.finishAndReleaseAll(), "nothing left unread in the channel");
        assertTrue(passedOn.stream().noneMatch(o -> o instanceof HttpObject), "messages stop at the receiver");
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void unboundConnectionReceivingContentReleasesItAndCloses() {
        ByteBuf body = text("unsolicited");
        ch.writeInbound(new DefaultLastHttpContent(body));
        ch.runPendingTasks();
        assertEquals(0, body.refCnt());
        assertFalse(ch.isOpen(), "bytes on an idle connection answer no request: it is unusable");
    }

    @Test
    void unboundConnectionReceivingAResponseHeadCloses() {
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT));
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void boundConnectionForwardsMessagesAndReadCompleteToTheListenerWhichOwnsThem() {
        receiver.bind(listener);
        ByteBuf part = text("hello");
        ByteBuf last = text(" world");
        var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        ch.writeInbound(head, new DefaultHttpContent(part), new DefaultLastHttpContent(last));
        assertEquals(List.of("message", "message", "message", "readComplete"), listener.calls);
        assertSame(head, listener.messages.get(0));
        assertEquals("hello", ((HttpContent) listener.messages.get(1)).content().toString(StandardCharsets.US_ASCII));
        assertEquals(1, part.refCnt(), "ownership passes to the listener; the receiver does not release");
        assertEquals(1, last.refCnt());
        assertTrue(ch.isOpen());
    }

    @Test
    void boundConnectionReceivingSomethingThatIsNotHttpReleasesItAndCloses() {
        receiver.bind(listener);
        ByteBuf raw = text("raw");
        ch.writeInbound(new DefaultByteBufHolder(raw));
        ch.runPendingTasks();
        assertEquals(0, raw.refCnt());
        assertFalse(ch.isOpen());
        assertTrue(listener.messages.isEmpty(), "the listener never sees it");
        assertEquals(1, java.util.Collections.frequency(listener.calls, "closed"), listener.calls.toString());
    }

    @Test
    void writabilityChangesReachTheBoundListenerOnly() {
        ch.pipeline().fireChannelWritabilityChanged();
        assertTrue(listener.calls.isEmpty());
        receiver.bind(listener);
        ch.pipeline().fireChannelWritabilityChanged();
        assertEquals(List.of("writability"), listener.calls);
    }

    @Test
    void afterUnbindTheOldListenerHearsNothing() {
        receiver.bind(listener);
        receiver.unbind();
        ch.pipeline().fireChannelWritabilityChanged();
        ch.pipeline().fireChannelReadComplete();
        ch.close();
        ch.runPendingTasks();
        assertTrue(listener.calls.isEmpty(), listener.calls.toString());
    }

    @Test
    void closeWhileBoundTellsTheListenerWithTheExceptionThatCausedIt() {
        receiver.bind(listener);
        IOException reset = new IOException("Connection reset by peer");
        ch.pipeline().fireExceptionCaught(reset);
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "a failed upstream connection is closed");
        assertEquals(List.of("closed"), listener.calls, "told exactly once");
        assertSame(reset, listener.closedWith.get(0), "the failure is passed on as the cause");
    }

    @Test
    void plainCloseWhileBoundTellsTheListenerWithNoCause() {
        receiver.bind(listener);
        ch.close();
        ch.runPendingTasks();
        assertEquals(List.of("closed"), listener.calls);
        assertEquals(1, listener.closedWith.size());
        assertEquals(null, listener.closedWith.get(0));
    }

    @Test
    void idleConnectionThatClosesIsForgottenByThePool() throws Exception {
        run(() -> pool.release(ch)); // as after a complete exchange: into the idle list
        assertEquals(1, (int) call(pool::idleCount));
        ch.close();
        ch.runPendingTasks();
        assertEquals(0, (int) call(pool::idleCount), "a closed idle connection leaves the pool");
        assertTrue(listener.calls.isEmpty());
    }

    @Test
    void acquireFromThePoolBindsTheIdleConnectionToTheListener() throws Exception {
        run(() -> pool.release(ch));
        Future<Channel> f = call(() -> pool.acquire(listener));
        assertTrue(f.isSuccess());
        assertSame(ch, f.getNow(), "the idle connection is reused");
        assertEquals(0, (int) call(pool::idleCount));
        ByteBuf body = text("x");
        ch.writeInbound(new DefaultLastHttpContent(body));
        assertEquals(List.of("message", "readComplete"), listener.calls);
        run(() -> pool.discard(ch));
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "a discarded connection is closed");
        assertEquals(List.of("message", "readComplete"), listener.calls, "discard unbinds before closing");
    }

    @Test
    void onlyAConnectionLeftUnusedInThePoolForPoolIdleIsClosed() throws InterruptedException {
        receiver.bind(listener);
        Thread.sleep(150);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "a leased connection is the lessee's to time out");

        receiver.unbind(); // back in the pool
        Thread.sleep(60);
        receiver.bind(listener); // leased again before pool-idle
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "leased again in time");

        receiver.unbind();
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "60 ms in the pool");
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen(), "an idle pooled connection past pool-idle is closed");
        assertTrue(listener.calls.isEmpty(), listener.calls.toString());
    }

    @Test
    void aResponseThatDoesNotStartInTimeIsReportedOnce() throws InterruptedException {
        receiver.bind(listener);
        receiver.expectResponseWithin(TimeUnit.MILLISECONDS.toNanos(30));
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertEquals(List.of("timeout"), listener.calls);
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertEquals(List.of("timeout"), listener.calls, "a deadline expires once");
    }

    @Test
    void aStartedResponseOrAnUnbindDisarmsTheDeadline() throws InterruptedException {
        receiver.bind(listener);
        receiver.expectResponseWithin(TimeUnit.MILLISECONDS.toNanos(30));
        receiver.responseStarted();
        receiver.unbind();
        receiver.bind(listener);
        receiver.expectResponseWithin(TimeUnit.MILLISECONDS.toNanos(30));
        receiver.unbind(); // the lessee gave the connection back before its response started
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertTrue(listener.calls.isEmpty(), listener.calls.toString());
    }

    @Test
    void aDeadlineReArmedPerRequestMeasuresFromTheLastArm() throws InterruptedException {
        receiver.bind(listener);
        receiver.expectResponseWithin(TimeUnit.MILLISECONDS.toNanos(80));
        receiver.responseStarted();
        Thread.sleep(50);
        receiver.expectResponseWithin(TimeUnit.MILLISECONDS.toNanos(80)); // the next request
        Thread.sleep(50);
        ch.runScheduledPendingTasks(); // the first arm's task runs: 30 ms are left
        assertTrue(listener.calls.isEmpty(), "100 ms after the first arm, 50 after the second");
        Thread.sleep(60);
        ch.runScheduledPendingTasks();
        assertEquals(List.of("timeout"), listener.calls);
    }

    @Test
    void otherUserEventsArePassedOn() {
        ch.pipeline().fireUserEventTriggered("custom");
        assertEquals(List.of("custom"), passedOn);
        passedOn.clear();
    }

    // The pool is confined to its event loop; run pool calls there.
    private static <T> T call(java.util.concurrent.Callable<T> c) throws Exception {
        return pool.loop().submit(c).get(5, TimeUnit.SECONDS);
    }

    private static void run(Runnable r) throws Exception {
        pool.loop().submit(r).get(5, TimeUnit.SECONDS);
    }
}
