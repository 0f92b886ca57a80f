package org.autosync.proxy;

import java.time.Clock;
import java.util.Set;
import java.util.stream.Collectors;
import org.autosync.auth.NonceCache;
import org.autosync.auth.PeerSigner;
import org.autosync.auth.PeerVerifier;
import org.autosync.auth.ServiceIdentity;
import org.autosync.auth.TokenCache;
import org.autosync.placement.Site;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.intercept.ClusterAuthHttp;
import org.autosync.proxy.intercept.ClusterClient;
import org.autosync.proxy.intercept.FanOutExecutor;
import org.autosync.proxy.intercept.PeerApply;
import org.autosync.proxy.intercept.PeerClient;
import org.autosync.proxy.intercept.RequestRouter;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.server.ExchangeFactory;

/** Wires the multi-site parts from the settings; without sites, requests just pass through. */
final class Federation {
    private Federation() {
    }

    static ExchangeFactory router(Settings settings, ExchangeFactory passThrough, ProxyMetrics metrics,
                                 io.netty.channel.EventLoopGroup group, Transport transport) {
        FederationSettings fed = settings.federation();
        if (fed == null) {
            return new RequestRouter(passThrough, null, null, null, 64 * 1024, metrics);
        }
        Clock clock = Clock.systemUTC();
        ClusterClient http = new ClusterClient(group, transport.clientChannel(), fed.peerConnectTimeout());
        PeerClient peers = new PeerClient(http, new PeerSigner(fed.site().name(), fed.peerSecrets().current(), clock),
                fed.peerResponseTimeout());
        FanOutExecutor fanOut = new FanOutExecutor(fed, http, settings.localCluster(),
                settings.responseHeaderTimeout(), peers, metrics);
        Set<String> known = fed.sites().all().stream().map(Site::name)
                .filter(n -> !n.equals(fed.site().name())).collect(Collectors.toSet());
        PeerVerifier verifier = new PeerVerifier(fed.site().name(), known, fed.peerSecrets().forVerifying(), fed.peerMaxSkew(), clock,
                new NonceCache(fed.peerMaxSkew()));
        ServiceIdentity identity = fed.serviceIdentity();
        TokenCache tokens = identity == null ? null
                : new TokenCache(identity.login(new ClusterAuthHttp(http, fed.peerResponseTimeout()), clock), clock);
        PeerApply apply = new PeerApply(http, settings.localCluster(), tokens, settings.responseHeaderTimeout(),
                fed.site().name());
        return new RequestRouter(passThrough, fanOut, verifier, apply, fed.maxBody(), metrics);
    }
}
