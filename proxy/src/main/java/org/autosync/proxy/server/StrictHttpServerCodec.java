package org.autosync.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The client side's HTTP/1.1 codec: Netty's request decoder and response encoder, made strict
 * about framing. Swift's eventlet server and Netty do not read every odd request the same way,
 * and a request the two frame differently can smuggle a second request past the fan-out. So the
 * ambiguous cases are refused (the receiver answers 400 and closes) instead of normalised:
 * Content-Length with Transfer-Encoding, a Transfer-Encoding other than {@code chunked},
 * several differing Content-Length values (Netty's own check), obs-fold continuation lines, a
 * CR not followed by LF, and NUL in the request head. Header names with {@code _}, which Swift
 * reads as {@code -}, are renamed here, before anything looks at them ({@link UnderscoreHeaders}).
 *
 * <p>Like {@code HttpServerCodec}, it remembers each request's method so that the answer to a
 * HEAD is encoded without a body.
 */
public final class StrictHttpServerCodec
        extends CombinedChannelDuplexHandler<StrictHttpServerCodec.RequestDecoder, StrictHttpServerCodec.ResponseEncoder> {

    private final Queue<HttpMethod> methods = new ArrayDeque<>(2);

    public StrictHttpServerCodec(int maxInitialLine, int maxHeaderSize, int maxChunk) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunk)
                .setAllowDuplicateContentLengths(true); // identical copies are one value; differing ones fail
        // the decoder's header limit does not count line ends: "a:" lines (an empty value) are 2 bytes
        // of limit per 4 on the wire, so scan all it may accept, CR LFs and the empty line included
        init(new RequestDecoder(config, maxInitialLine + 2 + maxHeaderSize * 2 + 2), new ResponseEncoder());
    }

    final class RequestDecoder extends HttpRequestDecoder {
        private final HeadScanner scanner = new HeadScanner();
        private final int maxHead;
        private boolean atMessageStart = true;
        private boolean rejected;

        RequestDecoder(HttpDecoderConfig config, int maxHead) {
            super(config);
            this.maxHead = maxHead;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (rejected) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            if (atMessageStart) {
                String problem = scanner.check(buffer, maxHead);
                if (problem == HeadScanner.NEED_MORE) {
                    return; // nothing is decoded before the whole head is here anyway
                }
                if (problem != null) {
                    reject(buffer, out, problem);
                    return;
                }
                // scanned: the decoder takes it from here, even if it needs more bytes to finish a
                // head longer than the scan (which its own limits then refuse); a second scan would
                // start mid-head and read a folded line as leading whitespace
                atMessageStart = false;
            }
            int old = out.size();
            super.decode(ctx, buffer, out);
            for (int i = old; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpRequest request) {
                    String problem = request.decoderResult().isSuccess() ? headProblem(request) : null;
                    if (problem != null) {
                        for (int j = i; j < out.size(); j++) {
                            ReferenceCountUtil.release(out.get(j));
                        }
                        out.subList(i, out.size()).clear();
                        reject(buffer, out, problem);
                        return;
                    }
                    methods.add(request.method());
                    atMessageStart = false;
                }
                if (o instanceof LastHttpContent) {
                    atMessageStart = true;
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            // Netty would drop Content-Length and go on; a server behind us might not
            throw new IllegalArgumentException("Content-Length together with Transfer-Encoding");
        }

        private void reject(ByteBuf buffer, List<Object> out, String problem) {
            rejected = true;
            buffer.skipBytes(buffer.readableBytes());
            DefaultFullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
            methods.add(HttpMethod.GET);
            out.add(bad);
        }
    }

    /** Underscore names Swift would read differently, then framing Netty let through. */
    private static String headProblem(HttpRequest request) {
        String problem = UnderscoreHeaders.normalise(request.headers());
        return problem != null ? problem : framingProblem(request);
    }

    /** What HTTP/1.0 requests (which Netty frames as it reads them) may still carry. */
    private static String framingProblem(HttpRequest request) {
        HttpHeaders h = request.headers();
        if (!h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return null; // most requests: no list to build
        }
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (te.isEmpty()) {
            return null;
        }
        if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return "Content-Length together with Transfer-Encoding";
        }
        if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
            return "Transfer-Encoding other than chunked";
        }
        return null;
    }

    final class ResponseEncoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL && msg.status().code() != 101) {
                return true; // an interim answer (100 Continue) belongs to the request still in flight
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }

    /**
     * Finds the end of a request head (the empty line) and what is wrong in it, in one pass over
     * the bytes: a head that arrives in pieces is scanned where the last piece left off, so a
     * client trickling its head byte by byte costs no more than one sending it whole. Reused for
     * every request of a connection.
     */
    static final class HeadScanner implements ByteProcessor {
        static final String NEED_MORE = "need more";

        private int prev;
        private int prev2;
        private String problem;
        private boolean complete;
        /** Where the head in progress starts, counted from the reader index; -1: no head begun. */
        private int headStart = -1;
        /** Bytes after the reader index already scanned for the head in progress. */
        private int scanned;
        /** Bytes handed to the scan so far, for tests. */
        long bytesScanned;

        /**
         * Null: a whole, clean head is there; {@link #NEED_MORE}; or what is wrong. Between a
         * {@link #NEED_MORE} and the next call the bytes before the writer index must stay unread.
         */
        String check(ByteBuf buf, int maxHead) {
            int start = buf.readerIndex();
            int end = buf.writerIndex();
            if (headStart < 0) {
                // the decoder skips whitespace and control bytes before a request line; so do we
                int first = buf.forEachByte(start, end - start, HeadScanner::isSkippedBeforeRequestLine);
                if (first < 0) {
                    buf.skipBytes(end - start); // what the decoder skips anyway; never let it pile up
                    return NEED_MORE;
                }
                prev = 0;
                prev2 = 0;
                problem = null;
                complete = false;
                headStart = first - start;
                scanned = headStart;
            }
            int limit = Math.min(end - start, headStart + maxHead);
            if (scanned < limit) {
                bytesScanned += limit - scanned;
                buf.forEachByte(start + scanned, limit - scanned, this);
                scanned = limit;
            }
            if (problem != null || complete || limit - headStart == maxHead) {
                headStart = -1; // the next call looks at a new head
                // a head too long for the limits is the decoder's to refuse (414/431)
                return problem;
            }
            return NEED_MORE;
        }

        private static boolean isSkippedBeforeRequestLine(byte value) {
            int c = value & 0xff;
            return c <= ' ' || c >= 0x7f && c <= 0x9f;
        }

        @Override
        public boolean process(byte value) {
            int b = value & 0xff;
            if (prev == '\r' && b != '\n') {
                problem = "CR without LF in the request head";
                return false;
            }
            if (b == 0) {
                problem = "NUL in the request head";
                return false;
            }
            if (prev == '\n' && (b == ' ' || b == '\t')) {
                problem = "obs-fold (a header line starting with a space or tab)";
                return false;
            }
            if (b == '\n' && (prev == '\n' || prev == '\r' && prev2 == '\n')) {
                complete = true; // the empty line ends the head
                return false;
            }
            prev2 = prev;
            prev = b;
            return true;
        }
    }
}
