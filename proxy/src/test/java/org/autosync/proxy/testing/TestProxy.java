package org.autosync.proxy.testing;

import java.net.URI;
import java.util.function.UnaryOperator;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;

/** An in-process proxy on port 0 in front of a backend on {@code backendPort}. */
public final class TestProxy {
    private TestProxy() {
    }

    public static AutosyncProxy start(int backendPort) throws InterruptedException {
        return start(backendPort, UnaryOperator.identity());
    }

    public static AutosyncProxy start(int backendPort, UnaryOperator<Settings.Builder> tweak)
            throws InterruptedException {
        Settings.Builder b = Settings.builder()
                .localCluster(URI.create("http://127.0.0.1:" + backendPort))
                .eventLoopThreads(2);
        return AutosyncProxy.start(tweak.apply(b).build());
    }

    /** A proxy in front of {@code localCluster} (any scheme). */
    public static AutosyncProxy startAt(URI localCluster, UnaryOperator<Settings.Builder> tweak)
            throws InterruptedException {
        Settings.Builder b = Settings.builder().localCluster(localCluster).eventLoopThreads(2);
        return AutosyncProxy.start(tweak.apply(b).build());
    }
}
