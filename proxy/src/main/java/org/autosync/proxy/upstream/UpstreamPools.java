package org.autosync.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.tls.ClientTls;

/** One {@link UpstreamPool} per event loop of the group; built once, read-only afterwards. */
public final class UpstreamPools {
    private final Map<EventExecutor, UpstreamPool> pools = new IdentityHashMap<>();

    public UpstreamPools(EventLoopGroup group, Transport transport, Settings settings, ProxyMetrics metrics) {
        // one TLS context for every loop; none when the local cluster speaks plain http
        ClientTls tls = ClientTls.isHttps(settings.localCluster()) ? ClientTls.create(settings.tls()) : null;
        for (EventExecutor e : group) {
            pools.put(e, new UpstreamPool((EventLoop) e, transport, settings, metrics, tls));
        }
        // Gauges read the per-loop counters without a lock: a slightly stale number is fine.
        metrics.registerPoolGauges(
                () -> pools.values().stream().mapToInt(UpstreamPool::idleCount).sum(),
                () -> pools.values().stream().mapToInt(UpstreamPool::leasedCount).sum());
    }

    public UpstreamPool forLoop(EventLoop loop) {
        UpstreamPool pool = pools.get(loop);
        if (pool == null) {
            throw new IllegalStateException("no upstream pool for " + loop);
        }
        return pool;
    }

    /** Closes idle connections; called at shutdown on each loop. */
    public void closeIdle() {
        for (UpstreamPool p : pools.values()) {
            p.loop().execute(p::closeIdle);
        }
    }
}
