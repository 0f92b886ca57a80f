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
     * Data-path socket buffers. Netty's defaults (64 KiB reads, 32/64 KiB write water marks) stop
     * and restart a 1 MiB transfer a dozen times; these cut the read and write calls and the
     * wake-ups several fold while a stalled peer still holds at most {@link #HIGH_WATER} per
     * connection.
     */
    public static final int MAX_READ = 256 * 1024;
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
