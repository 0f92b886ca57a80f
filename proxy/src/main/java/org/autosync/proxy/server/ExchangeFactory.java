package org.autosync.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import org.autosync.proxy.exchange.ClientExchange;
import org.autosync.proxy.exchange.ExchangeOwner;

/** Decides how a request is served (pass-through, intercepted, admin ...). */
@FunctionalInterface
public interface ExchangeFactory {
    ClientExchange create(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner);
}
