package org.autosync.proxy.federation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.autosync.auth.AuthMode;
import org.autosync.auth.PeerSecrets;
import org.autosync.auth.ServiceCredentials;
import org.autosync.auth.ServiceIdentity;
import org.autosync.placement.Consistency;
import org.autosync.placement.PlacementPolicy;
import org.autosync.placement.Site;
import org.autosync.placement.Sites;
import org.autosync.placement.SyncKeys;
import org.autosync.placement.SyncTopology;
import org.autosync.proxy.config.FederationSettings;

/** Builds {@link FederationSettings} through its public constructor, with test defaults. */
final class FederationFixture {
    static final String PEER_SECRET = "peer-secret-for-the-tests-0123456789";
    static final String SYNC_SECRET = "sync-key-secret-for-the-tests-98765";
    static final String REALM = "lab";

    private final String here;
    private final Map<String, URI> sites = new LinkedHashMap<>();
    private List<String> defaultPlacement;
    private final List<String[]> rules = new ArrayList<>();
    private final List<List<String>> ruleSites = new ArrayList<>();
    private Consistency consistency = Consistency.ALL;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration responseTimeout = Duration.ofSeconds(10);
    private URI authUrl = URI.create("http://127.0.0.1:1/auth/v1.0");
    private Duration skew = Duration.ofSeconds(60);
    private final Map<String, AuthMode> authModes = new LinkedHashMap<>();
    private ServiceIdentity identity;
    private boolean allowAccountDelete;
    private long maxBuffered = FederationSettings.DEFAULT_MAX_BUFFERED;
    private org.autosync.proxy.config.PeerHealthSettings peerHealth =
            new org.autosync.proxy.config.PeerHealthSettings(Duration.ofSeconds(2), 2);

    private FederationFixture(String here) {
        this.here = here;
    }

    static FederationFixture at(String here) {
        return new FederationFixture(here);
    }

    /** Adds a site; the realm-cluster name is the site name. */
    FederationFixture site(String name, URI url) {
        sites.put(name, url);
        return this;
    }

    FederationFixture defaultPlacement(String... names) {
        defaultPlacement = List.of(names);
        return this;
    }

    FederationFixture rule(String account, String container, String... names) {
        rules.add(new String[] {account, container});
        ruleSites.add(List.of(names));
        return this;
    }

    FederationFixture consistency(Consistency c) {
        consistency = c;
        return this;
    }

    FederationFixture responseTimeout(Duration d) {
        responseTimeout = d;
        return this;
    }

    FederationFixture connectTimeout(Duration d) {
        connectTimeout = d;
        return this;
    }

    /** Every site is in override mode unless set otherwise here. */
    FederationFixture authMode(String site, AuthMode mode) {
        authModes.put(site, mode);
        return this;
    }

    private Map<String, AuthMode> modes() {
        Map<String, AuthMode> m = new LinkedHashMap<>();
        sites.keySet().forEach(n -> m.put(n, authModes.getOrDefault(n, AuthMode.OVERRIDE)));
        return m;
    }

    /** This site's service identity; by default tempauth admin:admin at {@link #authUrl}. */
    FederationFixture identity(ServiceIdentity id) {
        identity = id;
        return this;
    }

    FederationFixture peerHealth(Duration interval, int openAfter) {
        peerHealth = new org.autosync.proxy.config.PeerHealthSettings(interval, openAfter);
        return this;
    }

    FederationFixture maxBuffered(long bytes) {
        maxBuffered = bytes;
        return this;
    }

    FederationFixture allowAccountDelete() {
        allowAccountDelete = true;
        return this;
    }

    FederationFixture authUrl(URI u) {
        authUrl = u;
        return this;
    }

    FederationSettings build() {
        List<Site> list = new ArrayList<>();
        sites.forEach((name, url) -> list.add(new Site(name, url, name)));
        Sites all = new Sites(list);
        PlacementPolicy.Builder p = PlacementPolicy.builder(all)
                .defaultSites(defaultPlacement != null ? defaultPlacement : List.copyOf(sites.keySet()));
        for (int i = 0; i < rules.size(); i++) {
            p.addRule(rules.get(i)[0], rules.get(i)[1], ruleSites.get(i));
        }
        return new FederationSettings(all.get(here), all, p.build(), new SyncTopology(REALM),
                new SyncKeys(SYNC_SECRET), modes(), new PeerSecrets(PEER_SECRET.getBytes(StandardCharsets.UTF_8), null),
                identity != null ? identity : modes().get(here) == AuthMode.FORWARD ? null
                        : new ServiceCredentials(authUrl, "admin:admin", "admin-key"), consistency,
                connectTimeout, responseTimeout, 64 * 1024, skew, 256).withAllowAccountDelete(allowAccountDelete)
                .withPeerHealth(peerHealth).withMaxBuffered(maxBuffered);
    }

    /** The expected X-Container-Sync-Key, computed independently of the main code. */
    static String expectedSyncKey(String account, String container) {
        return hmacHex(SYNC_SECRET, account + "/" + container);
    }

    /** Lower-case hex HMAC-SHA256 of the UTF-8 bytes of {@code data}. */
    static String hmacHex(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A loopback port nothing listens on (bound, then released). */
    /**
     * A loopback port nothing listens on. Below the ephemeral range on purpose: a port freed by a
     * closed ServerSocket could be handed to the next stub or proxy of this JVM, which would then
     * answer where the test expects a refused connection.
     */
    static int closedPort() throws IOException {
        int port = 1;
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            throw new IOException("something listens on 127.0.0.1:" + port + "; the tests need it closed");
        } catch (java.net.ConnectException expected) {
            return port;
        }
    }

    static URI closedUrl() throws IOException {
        return URI.create("http://127.0.0.1:" + closedPort());
    }
}
