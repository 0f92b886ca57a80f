package org.autosync.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import org.autosync.proxy.exchange.ClientExchange;
import org.autosync.proxy.exchange.ExchangeOwner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client connection's last handler, driven through an EmbeddedChannel with the real HTTP codec. */
class ClientRequestReceiverTest {

    /** Records every call an exchange gets, as "uri:event". Content is recorded, then released. */
    private final List<String> events = new ArrayList<>();
    private final List<Recording> created = new ArrayList<>();
    private ExchangeOwner owner;
    private ClientRequestReceiver receiver;
    private EmbeddedChannel ch;
    private int readRequests;

    /** Set by a test to make the next exchange answer (keep-alive) from inside start(). */
    private boolean finishInStart;

    final class Recording implements ClientExchange {
        final String name;

        Recording(String name) {
            this.name = name;
        }

        @Override
        public void start() {
            events.add(name + ":start");
            if (finishInStart) {
                finishInStart = false;
                owner.exchangeDone(this, false);
            }
        }

        @Override
        public void onClientContent(HttpContent content) {
            String text = content.content().toString(StandardCharsets.ISO_8859_1);
            events.add(name + ":content:" + text + (content instanceof LastHttpContent ? ":last" : ""));
            content.release();
        }

        @Override
        public void onClientReadComplete() {
            events.add(name + ":readComplete");
        }

        @Override
        public void onClientWritabilityChanged() {
            events.add(name + ":writability");
        }

        @Override
        public void onClientClosed() {
            events.add(name + ":clientClosed");
        }

        @Override
        public void onClientIdle(boolean outputMoving) {
            events.add(name + ":idle" + (outputMoving ? ":output-moving" : ""));
        }

        @Override
        public void closeAfterResponse() {
            events.add(name + ":closeAfterResponse");
        }
    }

    @BeforeEach
    void setUp() {
        ExchangeFactory factory = (ctx, request, o) -> {
            owner = o;
            Recording r = new Recording(request.uri());
            created.add(r);
            return r;
        };
        receiver = new ClientRequestReceiver(factory, Duration.ZERO);
        ch = new EmbeddedChannel(
                new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void read(ChannelHandlerContext ctx) {
                        readRequests++;
                        ctx.read();
                    }
                },
                new HttpServerCodec(256, 1024, 1 << 20),
                receiver);
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            assertFalse(ch.finishAndReleaseAll(), "nothing left unread in the channel");
        }
    }

    private void in(String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
    }

    private String drainOutbound() {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            try {
                if (o instanceof ByteBuf b) {
                    sb.append(b.toString(StandardCharsets.ISO_8859_1));
                } else {
                    sb.append(o);
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return sb.toString();
    }

    private void assertRejected(String request, String statusLine, String bodyPart) {
        in(request);
        String out = drainOutbound();
        assertTrue(out.startsWith(statusLine), out);
        assertTrue(out.toLowerCase().contains("connection: close"), out);
        assertTrue(out.contains(bodyPart), out);
        assertFalse(ch.isOpen(), "the connection is closed after the rejection");
        assertTrue(created.isEmpty(), "no exchange for an unparseable request");
    }

    // ------------------------------------------------------------------ decoder failures

    @Test
    void tooLongRequestLineAnswers414AndCloses() {
        assertRejected("GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 414", "request line too long");
    }

    @Test
    void tooLargeHeadersAnswer431AndClose() {
        assertRejected("GET /o HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n",
                "HTTP/1.1 431", "request headers too large");
    }

    @Test
    void malformedRequestAnswers400AndCloses() {
        assertRejected("GET /o HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n",
                "HTTP/1.1 400", "malformed request");
    }

    @Test
    void requestPipelinedBehindARejectedOneIsNeverDispatched() {
        assertRejected("GET /o HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n"
                + "GET /p HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400", "malformed request");
        assertTrue(events.isEmpty());
    }

    // ------------------------------------------------------------------ one at a time

    @Test
    void aRequestAndItsBodyGoToOneExchange() {
        in("PUT /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        in("2\r\nde\r\n0\r\n\r\n");
        assertEquals(List.of("/a:start", "/a:content:abc", "/a:readComplete", "/a:content:de",
                "/a:content::last", "/a:readComplete"), events);
        assertEquals(1, created.size());
    }

    @Test
    void pipelinedRequestWaitsForExchangeDoneThenGetsItsBodyInOrder() {
        in("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "PUT /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(1, created.size(), "only the first request is dispatched");
        assertEquals(List.of("/a:start", "/a:content:abc:last", "/a:readComplete"), events);
        events.clear();

        receiver.exchangeDone(created.get(0), false);
        assertEquals(2, created.size());
        assertEquals(List.of("/b:start", "/b:content:hello", "/b:content: world", "/b:content::last",
                "/b:readComplete"), events, "the next head and its body, stopping before the head after it");
        events.clear();

        receiver.exchangeDone(created.get(1), false);
        assertEquals(3, created.size());
        assertEquals(List.of("/c:start", "/c:content::last", "/c:readComplete"), events);
        events.clear();

        int reads = readRequests;
        receiver.exchangeDone(created.get(2), false);
        assertTrue(readRequests > reads, "with nothing queued, the next request is read");
        assertTrue(ch.isOpen());
    }

    @Test
    void exchangeDoneForAnExchangeThatIsNotCurrentIsIgnored() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        Recording stale = new Recording("/stale");
        receiver.exchangeDone(stale, false);
        assertEquals(1, created.size(), "a stale exchange does not release the queue");
        receiver.exchangeDone(stale, true);
        receiver.exchangeDone(created.get(0), false);
        assertEquals(2, created.size(), "nor does it make the connection closing");
    }

    @Test
    void exchangeDoneWithCloseStopsDispatchReleasesQueuedMessagesButDoesNotCloseItself() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        HttpRequest queuedHead = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/b");
        ByteBuf b1 = Unpooled.copiedBuffer("one", StandardCharsets.US_ASCII);
        ByteBuf b2 = Unpooled.copiedBuffer("two", StandardCharsets.US_ASCII);
        ch.writeInbound(queuedHead, new DefaultHttpContent(b1), new DefaultLastHttpContent(b2));
        assertEquals(1, b1.refCnt(), "queued, not yet released");
        assertEquals(1, created.size());

        int reads = readRequests;
        receiver.exchangeDone(created.get(0), true);
        assertEquals(0, b1.refCnt(), "queued body released");
        assertEquals(0, b2.refCnt(), "queued body released");
        assertEquals(1, created.size(), "the queued request is never dispatched");
        assertTrue(ch.isOpen(), "the exchange, not the receiver, closes after its last write");
        assertEquals(reads, readRequests, "nothing more is read from a closing connection");

        ByteBuf late = Unpooled.copiedBuffer("late", StandardCharsets.US_ASCII);
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/late"),
                new DefaultLastHttpContent(late));
        assertEquals(0, late.refCnt(), "what arrives after is released");
        assertEquals(1, created.size());
    }

    @Test
    void contentWithNoCurrentExchangeIsReleased() {
        ByteBuf orphan = Unpooled.copiedBuffer("orphan", StandardCharsets.US_ASCII);
        ch.writeInbound(new DefaultLastHttpContent(orphan));
        assertEquals(0, orphan.refCnt());
        assertTrue(created.isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    void restOfABodyAfterTheExchangeWasAnsweredIsReleased() {
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/a"));
        receiver.exchangeDone(created.get(0), false);
        ByteBuf rest = Unpooled.copiedBuffer("rest", StandardCharsets.US_ASCII);
        ch.writeInbound(new DefaultLastHttpContent(rest));
        assertEquals(0, rest.refCnt());
        assertEquals(List.of("/a:start", "/a:readComplete"), events);
    }

    @Test
    void messagesThatAreNotHttpAreReleased() {
        ByteBuf raw = Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII);
        ch.writeInbound(new DefaultByteBufHolder(raw));
        assertEquals(0, raw.refCnt());
        assertTrue(created.isEmpty());
    }

    @Test
    void fullRequestWhoseExchangeFinishesInStartDoesNotLeakItsContent() {
        finishInStart = true;
        ByteBuf body = Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII);
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/full", body));
        assertEquals(1, created.size());
        assertEquals(0, body.refCnt(), "the content of a request whose exchange is already done is released");
    }

    @Test
    void channelCloseTellsTheCurrentExchangeAndReleasesTheQueue() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        ByteBuf queued = Unpooled.copiedBuffer("q", StandardCharsets.US_ASCII);
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/b"),
                new DefaultLastHttpContent(queued));
        events.clear();
        ch.close();
        ch.runPendingTasks();
        assertEquals(List.of("/a:clientClosed"), events);
        assertEquals(0, queued.refCnt());
        assertEquals(1, created.size());
    }

    @Test
    void writabilityChangesReachTheCurrentExchange() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        events.clear();
        ch.pipeline().fireChannelWritabilityChanged();
        assertEquals(List.of("/a:writability"), events);
    }

    // ------------------------------------------------------------------ events

    @Test
    void idleWithNoExchangeCloses() {
        receiver.onIdle();
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void idleWithAnExchangeAsksTheExchange() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        events.clear();
        receiver.onIdle();
        ch.runPendingTasks();
        assertEquals(List.of("/a:idle"), events);
        assertTrue(ch.isOpen(), "the exchange decides what an idle timeout means");
    }

    @Test
    void idleWithNoExchangeWaitsWhileTheLastResponseIsStillGoingOut() {
        ch.write(responseHead());
        receiver.onIdle();
        ch.runPendingTasks();
        assertTrue(ch.isOpen(), "bytes queued for the client that were not queued before: still moving");
        receiver.onIdle();
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "the same bytes still queued one idle period later: the client stalled");
    }

    @Test
    void idleTellsTheExchangeWhetherOutputMovedSinceTheLastIdleEvent() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        events.clear();
        ch.write(responseHead());
        receiver.onIdle();
        ch.write(new DefaultHttpContent(Unpooled.copiedBuffer("more", StandardCharsets.US_ASCII)));
        receiver.onIdle();
        receiver.onIdle();
        assertEquals(List.of("/a:idle:output-moving", "/a:idle:output-moving", "/a:idle"), events);
        ch.flush();
        ch.releaseOutbound();
    }

    private static HttpResponse responseHead() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 100);
        return r;
    }

    @Test
    void theIdleTimerFiresAfterTheTimeoutWithoutReadsAndRestartsWhenAResponseIsDone() throws Exception {
        ch.finishAndReleaseAll();
        receiver = new ClientRequestReceiver((ctx, request, o) -> {
            owner = o;
            Recording r = new Recording(request.uri());
            created.add(r);
            return r;
        }, Duration.ofMillis(200));
        ch = new EmbeddedChannel(new HttpServerCodec(256, 1024, 1 << 20), receiver);
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        events.clear();
        Thread.sleep(100);
        ch.runScheduledPendingTasks();
        assertTrue(events.isEmpty(), "not idle yet: " + events);
        Thread.sleep(150);
        ch.runScheduledPendingTasks();
        assertEquals(List.of("/a:idle"), events, "200 ms without a read");

        Thread.sleep(150);
        owner.exchangeDone(created.get(0), false); // the response is out: a new idle period starts
        Thread.sleep(100);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "the idle period restarted when the response was done");
        Thread.sleep(150);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen(), "idle with no exchange: closed");
    }

    @Test
    void drainWithNoExchangeCloses() {
        ch.pipeline().fireUserEventTriggered(ClientRequestReceiver.DRAIN);
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void drainWithAnExchangeLetsItFinishThenStopsDispatching() {
        in("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        events.clear();
        ch.pipeline().fireUserEventTriggered(ClientRequestReceiver.DRAIN);
        ch.runPendingTasks();
        assertEquals(List.of("/a:closeAfterResponse"), events);
        assertTrue(ch.isOpen());
        // The exchange, told to close after its response, reports done with closeConnection=true.
        in("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        receiver.exchangeDone(created.get(0), true);
        assertEquals(1, created.size(), "no request is dispatched after a drain");
    }

    @Test
    void otherUserEventsArePassedOn() {
        List<Object> seen = new ArrayList<>();
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                seen.add(evt);
            }
        });
        Object custom = "custom-event";
        ch.pipeline().fireUserEventTriggered(custom);
        assertEquals(List.of(custom), seen);
        assertTrue(ch.isOpen());
        assertNotNull(receiver);
    }
}
