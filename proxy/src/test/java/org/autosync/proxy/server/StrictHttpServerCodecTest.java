package org.autosync.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Framing the proxy refuses rather than guesses at, and the HEAD bookkeeping of the encoder. */
class StrictHttpServerCodecTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(new StrictHttpServerCodec(4096, 8192, 8192));

    @AfterEach
    void finish() {
        assertFalse(ch.finishAndReleaseAll());
    }

    private void write(String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    /** Everything decoded so far: heads as "METHOD uri" (or "FAIL: why"), contents as their bytes. */
    private List<String> decoded() {
        List<String> seen = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            try {
                if (o instanceof HttpRequest r) {
                    if (r.decoderResult().isFailure()) {
                        seen.add("FAIL: " + r.decoderResult().cause().getMessage());
                        continue; // a refused head may come as a full request; its "content" means nothing
                    }
                    seen.add(r.method() + " " + r.uri());
                }
                if (o instanceof HttpContent c && c.content().isReadable()) {
                    seen.add("body:" + c.content().toString(StandardCharsets.ISO_8859_1));
                }
                if (o instanceof LastHttpContent) {
                    seen.add("end");
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return seen;
    }

    private String onlyFailure() {
        List<String> seen = decoded();
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith("FAIL: "), seen.toString());
        return seen.get(0).substring(6);
    }

    @Test
    void plainRequestsPassIncludingPipelinedOnes() {
        write("PUT /v1/a/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /v1/a/c HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of("PUT /v1/a/c/o", "body:abc", "end", "GET /v1/a/c", "end"), decoded());
    }

    @Test
    void headSplitAcrossReadsIsDecodedOnceComplete() {
        write("GET /v1/a HTTP/1.1\r\nHo");
        write("st: x\r\n");
        assertEquals(List.of(), decoded());
        write("\r\n");
        assertEquals(List.of("GET /v1/a", "end"), decoded());
    }

    @Test
    void headTrickledByteByByteIsScannedOnce() {
        StringBuilder head = new StringBuilder("GET /v1/a HTTP/1.1\r\nHost: x\r\n");
        while (head.length() < 3000) {
            head.append("X-Pad-").append(head.length()).append(": ").append("v".repeat(40)).append("\r\n");
        }
        head.append("\r\n");
        StrictHttpServerCodec.HeadScanner scanner = new StrictHttpServerCodec.HeadScanner();
        ByteBuf buf = Unpooled.buffer();
        try {
            String result = StrictHttpServerCodec.HeadScanner.NEED_MORE;
            for (int i = 0; i < head.length(); i++) {
                assertEquals(StrictHttpServerCodec.HeadScanner.NEED_MORE, result, "at byte " + i);
                buf.writeByte(head.charAt(i));
                result = scanner.check(buf, 8192);
            }
            assertNull(result);
            // each byte once: rescanning from the start on every byte would be ~ n^2 / 2
            assertEquals(head.length(), scanner.bytesScanned);
            assertEquals(0, buf.readerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void problemSplitAcrossReadsIsFound() {
        write("GET /v1/a HTTP/1.1\r");
        write("Host: x\r\n\r\n");
        assertEquals("CR without LF in the request head", onlyFailure());
    }

    @Test
    void trickledHeadThenPipelinedHeadAreBothScanned() {
        String first = "GET /v1/a HTTP/1.1\r\nHost: x\r\n\r\n";
        for (char c : first.toCharArray()) {
            write(String.valueOf(c));
        }
        write("GET /v1/b HTTP/1.1\r\nHost: x\r\n");
        write(" folded\r\n\r\n");
        assertEquals(List.of("GET /v1/a", "end", "FAIL: obs-fold (a header line starting with a space or tab)"),
                decoded());
    }

    @Test
    void foldAfterManyEmptyHeadersIsStillFound() {
        // within the decoder's limits (a 4 KiB request line, "a:" lines of 2 counted bytes each),
        // yet 20 KB on the wire: the scan must reach the folded line at the end
        StringBuilder head = new StringBuilder("GET /").append("x".repeat(3980)).append(" HTTP/1.1\r\n");
        head.append("a:\r\n".repeat(3990)).append("b: v\r\n folded\r\n\r\n");
        write(head.toString());
        assertEquals("obs-fold (a header line starting with a space or tab)", onlyFailure());
    }

    @Test
    void bareLfLineEndsAreAccepted() {
        write("GET /v1/a HTTP/1.1\nHost: x\n\n");
        assertEquals(List.of("GET /v1/a", "end"), decoded());
    }

    @Test
    void contentLengthWithChunkedIsRefused() {
        write("PUT /v1/a/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n");
        assertEquals("Content-Length together with Transfer-Encoding", onlyFailure());
    }

    @Test
    void contentLengthWithChunkedInHttp10IsRefused() {
        write("PUT /v1/a/c/o HTTP/1.0\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertEquals("Content-Length together with Transfer-Encoding", onlyFailure());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, chunked", "identity"})
    void transferEncodingOtherThanChunkedIsRefused(String te) {
        write("PUT /v1/a/c/o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + "\r\n\r\n");
        List<String> seen = decoded();
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith("FAIL: "), seen.toString());
    }

    @Test
    void differingContentLengthsAreRefused() {
        write("PUT /v1/a/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
        assertTrue(onlyFailure().contains("Content-Length"));
    }

    @Test
    void identicalContentLengthsAreOne() {
        write("PUT /v1/a/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals(List.of("PUT /v1/a/c/o", "body:abc", "end"), decoded());
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "\t"})
    void obsFoldIsRefused(String lead) {
        write("PUT /v1/a/c HTTP/1.1\r\nHost: x\r\nX-Container-Meta-A: 1\r\n" + lead + "X-Container-Sync-To: //evil\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertTrue(onlyFailure().startsWith("obs-fold"));
    }

    @Test
    void obsFoldAcrossTwoReadsIsRefused() {
        write("PUT /v1/a/c HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n");
        write(" folded\r\n\r\n");
        assertTrue(onlyFailure().startsWith("obs-fold"));
    }

    @Test
    void crWithoutLfInAHeaderValueIsRefused() {
        write("PUT /v1/a/c HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-B: 2\r\n\r\n");
        assertEquals("CR without LF in the request head", onlyFailure());
    }

    @Test
    void nulInTheHeadIsRefused() {
        write("PUT /v1/a/c HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n");
        assertEquals("NUL in the request head", onlyFailure());
    }

    @Test
    void aBadSecondRequestIsRefusedAndNothingAfterItIsDecoded() {
        write("GET /v1/a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "PUT /v1/a/c HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tmore\r\n\r\n"
                + "DELETE /v1/a/c HTTP/1.1\r\nHost: x\r\n\r\n");
        List<String> seen = decoded();
        assertEquals(3, seen.size(), seen.toString());
        assertEquals(List.of("GET /v1/a", "end"), seen.subList(0, 2));
        assertTrue(seen.get(2).startsWith("FAIL: obs-fold"), seen.toString());
        write("GET /v1/x HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of(), decoded(), "a refused connection decodes nothing more");
    }

    @Test
    void bodyBytesThatLookLikeFoldsAreJustBody() {
        write("PUT /v1/a/c/o HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n\n \r\0\r\t");
        assertEquals(List.of("PUT /v1/a/c/o", "body:\n \r\0\r\t", "end"), decoded());
    }

    @Test
    void answerToHeadHasNoBodyEvenWhenChunked() {
        write("HEAD /v1/a/c/o HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/a/c/o HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of("HEAD /v1/a/c/o", "end", "GET /v1/a/c/o", "end"), decoded());
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ch.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
        DefaultFullHttpResponse get = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        get.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        ch.writeOutbound(get);
        String wire = outbound();
        assertFalse(wire.contains("0\r\n\r\n"), "no chunk terminator for the HEAD answer: " + wire);
        assertTrue(wire.endsWith("content-length: 2\r\n\r\nhi"), wire);
    }

    @Test
    void interimContinueDoesNotUseUpTheRequestsMethod() {
        write("HEAD /v1/a/c/o HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n");
        decoded();
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ch.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
        String wire = outbound();
        assertTrue(wire.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), wire);
        assertFalse(wire.contains("0\r\n\r\n"), wire);
    }

    private String outbound() {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = assertInstanceOf(ByteBuf.class, o);
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void nothingIsLeftOverAfterAClean() {
        assertNull(ch.readInbound());
    }

    @Test
    void endlessBlankLinesBeforeARequestDoNotPileUp() {
        for (int i = 0; i < 1000; i++) {
            write("\r\n".repeat(64));
        }
        assertEquals(List.of(), decoded());
        write("GET /v1/a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of("GET /v1/a", "end"), decoded());
    }

    @Test
    void foldBeyondTheFirstFortyKiloBytesOfManyShortHeadersIsStillSeen() {
        EmbeddedChannel big = new EmbeddedChannel(new StrictHttpServerCodec(4096, 32768, 8192));
        StringBuilder head = new StringBuilder("GET /v1/a HTTP/1.1\r\n");
        while (head.length() < 44_000) {
            head.append("a:b\r\n");
        }
        head.append(" folded\r\n\r\n");
        big.writeInbound(Unpooled.copiedBuffer(head.toString(), StandardCharsets.ISO_8859_1));
        HttpRequest r = big.readInbound();
        assertTrue(r.decoderResult().isFailure(), "decoded: " + r.decoderResult());
        ReferenceCountUtil.release(r);
        assertFalse(big.finishAndReleaseAll());
    }

    /** The request heads decoded so far, to look at their headers. */
    private List<HttpRequest> heads() {
        List<HttpRequest> heads = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof HttpRequest r) {
                heads.add(r);
            }
            ReferenceCountUtil.release(o);
        }
        return heads;
    }

    @Test
    void underscoreNamesAreReadAsSwiftReadsThem() {
        write("POST /v1/a/c HTTP/1.1\r\nHost: x\r\nX_Container_Meta_Color: blue\r\n"
                + "x_container_sync_to: //r/b/a/c\r\nX-Other: 1\r\n\r\n");
        List<HttpRequest> heads = heads();
        assertEquals(1, heads.size());
        var h = heads.get(0).headers();
        assertTrue(heads.get(0).decoderResult().isSuccess());
        assertEquals("blue", h.get("X-Container-Meta-Color"));
        assertEquals("//r/b/a/c", h.get("X-Container-Sync-To"));
        assertEquals("1", h.get("X-Other"));
        // no name keeps an underscore: a check by name sees what Swift will act on
        assertTrue(h.names().stream().noneMatch(n -> n.contains("_")), h.names().toString());
    }

    @Test
    void aRepeatedUnderscoreHeaderKeepsAllItsValues() {
        write("GET /v1/a HTTP/1.1\r\nHost: x\r\nX_Trace: 1\r\nX_Trace: 2\r\n\r\n");
        List<HttpRequest> heads = heads();
        assertEquals(List.of("1", "2"), heads.get(0).headers().getAll("X-Trace"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Transfer_Encoding: chunked\r\nContent-Length: 5",
        "Content_Length: 5",
        "transfer_encoding: chunked",
        "Keep_Alive: 5",
        "Proxy_Connection: close",
        "Proxy_Authorization: Basic eA=="})
    void underscoreNamesThatWouldReframeOrHopAreRefused(String header) {
        write("PUT /info HTTP/1.1\r\nHost: x\r\n" + header + "\r\n\r\nhello"
                + "GET /info HTTP/1.1\r\nHost: x\r\n\r\n");
        String why = onlyFailure(); // the pipelined GET is never read: the connection is done
        assertTrue(why.contains("may not be sent with an underscore"), why);
        assertTrue(why.startsWith("header " + header.substring(0, header.indexOf(':'))), why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X_Foo: 1\r\nX-Foo: 2", "X-Foo: 2\r\nx_foo: 1", "X_Foo: 1\r\nX-FOO: 2"})
    void underscoreNameCollidingWithTheDashedOneIsRefused(String headers) {
        write("POST /v1/a/c HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n\r\n");
        assertTrue(onlyFailure().contains("which the request also carries"));
    }

    @Test
    void twoUnderscoreSpellingsOfOneNameAreRefused() {
        write("POST /v1/a/c HTTP/1.1\r\nHost: x\r\nX_Foo_Bar: 1\r\nX-Foo_Bar: 2\r\n\r\n");
        assertTrue(onlyFailure().contains("both read as X-Foo-Bar"));
    }
}
