package org.autosync.proxy.e2e;

import com.typesafe.config.ConfigFactory;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;

/**
 * Proxies a and b as peers in front of the lab's Swift a (8081) and b (8082), on ports picked
 * at start, with the given secrets and any extra HOCON (for both sites).
 */
final class LabPair implements AutoCloseable {
    final AutosyncProxy a;
    final AutosyncProxy b;
    final String urlA;
    final String urlB;
    private final String syncSecret;
    private final String peerSecret;
    private final String extra;

    private LabPair(String syncSecret, String peerSecret, String extra) throws Exception {
        this.syncSecret = syncSecret;
        this.peerSecret = peerSecret;
        this.extra = extra;
        int[] ports = FanOutE2ETest.freePorts(2);
        urlA = LabTls.proxyUrl(ports[0]);
        urlB = LabTls.proxyUrl(ports[1]);
        a = AutosyncProxy.start(settings("a", ports[0], 8081, ""));
        AutosyncProxy started = null;
        try {
            started = AutosyncProxy.start(settings("b", ports[1], 8082, ""));
        } finally {
            if (started == null) {
                a.close();
            }
        }
        b = started;
    }

    static LabPair start(String syncSecret, String peerSecret, String extra) throws Exception {
        return new LabPair(syncSecret, peerSecret, extra);
    }

    /** Site a's settings as a command would load them (listening nowhere in particular), plus {@code more}. */
    Settings siteA(String more) {
        return settings("a", 0, 8081, more);
    }

    private Settings settings(String site, int port, int swift, String more) {
        return Settings.fromConfig(ConfigFactory.parseString(more + "\n" + extra)
                .withFallback(FanOutE2ETest.hocon(site, port, swift, urlA, urlB, syncSecret, peerSecret)));
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
