package org.autosync.proxy.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A client connection's address as text, worked out once per connection: every request on it
 * needs it twice (X-Forwarded-For, the access log), and formatting an address allocates.
 */
public final class ClientAddress {
    private static final AttributeKey<String> TEXT = AttributeKey.valueOf(ClientAddress.class, "text");

    private ClientAddress() {
    }

    /** The peer's IP address, or {@code null} when the connection has no IP peer. */
    public static String ip(Channel ch) {
        String ip = ch.attr(TEXT).get();
        if (ip == null) {
            SocketAddress remote = ch.remoteAddress();
            ip = remote instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress() : "";
            ch.attr(TEXT).set(ip);
        }
        return ip.isEmpty() ? null : ip;
    }
}
