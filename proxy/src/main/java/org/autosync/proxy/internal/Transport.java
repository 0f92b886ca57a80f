package org.autosync.proxy.internal;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll where the platform has it, NIO otherwise; one choice for the whole process. */
public enum Transport {
    EPOLL, NIO;

    /**
     * Largest body chunk the HTTP codecs cut: chunks are slices of what one socket read brought
     * in, so there is no reason to cut them smaller.
     */
    public static final int MAX_CHUNK = 1 << 20;

    /**
     * Data-path socket buffers. With auto-read off, one {@code read()} is one socket read (Netty
     * goes on reading only under auto-read), and each brings a round of read-complete, flush and
     * wake-up. Reads of up to 1 MiB move a 1 MiB body in one round instead of four or more: in an
     * A/B run of the GET 1 MiB benchmark that was half the {@code recvfrom} and {@code sendto}
     * calls and a quarter less CPU per request than 256 KiB reads (64 KiB cost more still). The
     * adaptive allocator only grows a connection's reads while they come back full, so small
     * exchanges keep small buffers. What one connection can hold is bounded: a read happens only
     * while the other side is writable, so at most {@link #HIGH_WATER} plus one read
     * ({@link #MAX_READ}), 1.5 MiB, waits for a peer that stopped reading.
     */
    public static final int MAX_READ = 1 << 20;
    public static final int LOW_WATER = 256 * 1024;
    public static final int HIGH_WATER = 512 * 1024;

    public static RecvByteBufAllocator readAllocator() {
        return new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ);
    }

    public static WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(LOW_WATER, HIGH_WATER);
    }

    public static Transport best() {
        return Epoll.isAvailable() && !Boolean.getBoolean("autosync.nio") ? EPOLL : NIO;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory tf = new DefaultThreadFactory(name, true);
        return this == EPOLL ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> clientChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
