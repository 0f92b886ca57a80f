package org.autosync.proxy.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Every setting of one proxy, validated once at start-up. Immutable: handlers read it from any
 * thread without coordination. Build from HOCON with {@link #load(File)} or {@link #fromConfig},
 * or in tests with {@link #builder()}.
 */
public final class Settings {
    private static final String ROOT = "autosync";

    private final HostPort listen;
    private final HostPort adminListen;
    private final URI localCluster;
    private final int eventLoopThreads;
    private final Duration connectTimeout;
    private final Duration responseHeaderTimeout;
    private final Duration idleTimeout;
    private final Duration poolIdleTimeout;
    private final Duration shutdownGrace;
    private final int maxInitialLine;
    private final int maxHeaderSize;
    private final int maxIdlePerLoop;
    private final FederationSettings federation;
    private final org.autosync.proxy.tls.TlsSettings tls;
    private final org.autosync.proxy.tls.ListenTlsSettings listenTls;

    private Settings(Builder b) {
        this.listen = requireNonNull(b.listen, "listen");
        this.adminListen = requireNonNull(b.adminListen, "adminListen");
        this.localCluster = requireNonNull(b.localCluster, "localCluster");
        this.eventLoopThreads = b.eventLoopThreads;
        this.connectTimeout = requireNonNull(b.connectTimeout, "connectTimeout");
        this.responseHeaderTimeout = requireNonNull(b.responseHeaderTimeout, "responseHeaderTimeout");
        this.idleTimeout = requireNonNull(b.idleTimeout, "idleTimeout");
        this.poolIdleTimeout = requireNonNull(b.poolIdleTimeout, "poolIdleTimeout");
        this.shutdownGrace = requireNonNull(b.shutdownGrace, "shutdownGrace");
        this.maxInitialLine = b.maxInitialLine;
        this.maxHeaderSize = b.maxHeaderSize;
        this.maxIdlePerLoop = b.maxIdlePerLoop;
        this.federation = b.federation;
        this.tls = requireNonNull(b.tls, "tls");
        this.listenTls = b.listenTls;
    }

    /** Reads {@code file} over the defaults of {@code reference.conf}. */
    public static Settings load(File file) {
        requireNonNull(file, "file");
        if (!file.isFile() || !file.canRead()) {
            throw new SettingsException(file.getPath(), "config file is missing or unreadable");
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new SettingsException(file.getPath(), e.getMessage(), e);
        }
        return fromConfig(parsed);
    }

    /** Validates {@code overrides} (already parsed) over the defaults of {@code reference.conf}. */
    public static Settings fromConfig(Config overrides) {
        Config reference = ConfigFactory.defaultReference();
        Config config;
        try {
            config = ConfigFactory.systemProperties().withFallback(overrides)
                    .withFallback(reference).resolve();
            config.checkValid(reference, ROOT);
        } catch (ConfigException.ValidationFailed e) {
            ConfigException.ValidationProblem p = e.problems().iterator().next();
            throw new SettingsException(p.path(), p.problem() + " (" + p.origin().description() + ")", e);
        } catch (ConfigException e) {
            throw new SettingsException(ROOT, e.getMessage(), e);
        }
        Config c = config.getConfig(ROOT);
        Builder b = builder();
        b.listen(hostPort(c, "listen"));
        b.adminListen(hostPort(c, "admin-listen"));
        b.localCluster(httpUrl(c, "local-cluster"));
        b.tls(tls(c));
        b.listenTls(listenTls(c));
        b.eventLoopThreads(intAtLeast(c, "event-loop-threads", 0));
        b.connectTimeout(positive(c, "timeouts.connect"));
        b.responseHeaderTimeout(positive(c, "timeouts.response-header"));
        b.idleTimeout(positive(c, "timeouts.idle"));
        b.poolIdleTimeout(positive(c, "timeouts.pool-idle"));
        b.shutdownGrace(get(c, "timeouts.shutdown-grace", () -> c.getDuration("timeouts.shutdown-grace")));
        b.maxInitialLine(bytes(c, "limits.max-initial-line", 256));
        b.maxHeaderSize(bytes(c, "limits.max-header-size", 1024));
        b.maxIdlePerLoop(intAtLeast(c, "upstream.max-idle-per-loop", 0));
        b.federation(FederationSettings.fromConfig(c));
        return b.build();
    }

    private interface Reader<T> {
        T read();
    }

    private static <T> T get(Config c, String key, Reader<T> reader) {
        try {
            return reader.read();
        } catch (ConfigException.Missing e) {
            throw new SettingsException(ROOT + "." + key, "is required");
        } catch (ConfigException e) {
            throw new SettingsException(ROOT + "." + key, e.getMessage(), e);
        }
    }

    private static HostPort hostPort(Config c, String key) {
        String text = get(c, key, () -> c.getString(key));
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(ROOT + "." + key, e.getMessage());
        }
    }

    private static URI httpUrl(Config c, String key) {
        String text = get(c, key, () -> c.getString(key));
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new SettingsException(ROOT + "." + key, "'" + text + "' is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new SettingsException(ROOT + "." + key,
                    "'" + text + "' must be an http://host:port or https://host:port URL");
        }
        return uri;
    }

    /** {@code autosync.tls}: the checks of Autosync's own https connections; each file must be readable. */
    private static org.autosync.proxy.tls.TlsSettings tls(Config c) {
        String ca = optionalFile(c, "tls.ca-file");
        boolean insecure = get(c, "tls.insecure", () -> c.getBoolean("tls.insecure"));
        String cert = optionalFile(c, "tls.cert-file");
        String key = optionalFile(c, "tls.key-file");
        if ((cert == null) != (key == null)) {
            throw new SettingsException(ROOT + "." + (cert == null ? "tls.cert-file" : "tls.key-file"),
                    "tls.cert-file and tls.key-file go together");
        }
        org.autosync.proxy.tls.TlsSettings t = new org.autosync.proxy.tls.TlsSettings(ca, insecure, cert, key);
        try {
            org.autosync.proxy.tls.ClientTls.create(t); // a file that is not PEM fails here, named
        } catch (IllegalArgumentException e) {
            throw new SettingsException(ROOT + "." + (ca != null ? "tls.ca-file" : "tls.cert-file"), e.getMessage());
        }
        return t;
    }

    /** {@code autosync.listen-tls}: null when no certificate is named (the listener speaks plain http). */
    private static org.autosync.proxy.tls.ListenTlsSettings listenTls(Config c) {
        String cert = optionalFile(c, "listen-tls.cert-file");
        String key = optionalFile(c, "listen-tls.key-file");
        String peerCa = optionalFile(c, "listen-tls.peer-client-ca-file");
        Duration reload = positive(c, "listen-tls.reload-interval");
        if (cert == null && key == null) {
            if (peerCa != null) {
                throw new SettingsException(ROOT + ".listen-tls.peer-client-ca-file",
                        "needs listen-tls.cert-file and key-file: client certificates come with TLS");
            }
            return null;
        }
        if (cert == null || key == null) {
            throw new SettingsException(ROOT + "." + (cert == null ? "listen-tls.cert-file" : "listen-tls.key-file"),
                    "listen-tls.cert-file and listen-tls.key-file go together");
        }
        var s = new org.autosync.proxy.tls.ListenTlsSettings(cert, key, peerCa, reload);
        try {
            new org.autosync.proxy.tls.ServerTls(s).close(); // files that do not load fail here, named
        } catch (IllegalArgumentException e) {
            throw new SettingsException(ROOT + ".listen-tls.cert-file", e.getMessage());
        }
        return s;
    }

    private static String optionalFile(Config c, String key) {
        String v = get(c, key, () -> c.getString(key));
        if (v.isEmpty()) {
            return null;
        }
        File f = new File(v);
        if (!f.isFile() || !f.canRead()) {
            throw new SettingsException(ROOT + "." + key, "'" + v + "' is missing or unreadable");
        }
        return v;
    }

    private static int intAtLeast(Config c, String key, int min) {
        int v = get(c, key, () -> c.getInt(key));
        if (v < min) {
            throw new SettingsException(ROOT + "." + key, "must be at least " + min + ", not " + v);
        }
        return v;
    }

    private static Duration positive(Config c, String key) {
        Duration d = get(c, key, () -> c.getDuration(key));
        if (d.isNegative() || d.isZero()) {
            throw new SettingsException(ROOT + "." + key, "must be positive, not " + d);
        }
        return d;
    }

    private static int bytes(Config c, String key, int min) {
        long v = get(c, key, () -> c.getBytes(key));
        if (v < min || v > Integer.MAX_VALUE) {
            throw new SettingsException(ROOT + "." + key, "must be between " + min + " and "
                    + Integer.MAX_VALUE + " bytes, not " + v);
        }
        return (int) v;
    }

    public HostPort listen() {
        return listen;
    }

    public HostPort adminListen() {
        return adminListen;
    }

    public URI localCluster() {
        return localCluster;
    }

    public String localClusterHost() {
        return localCluster.getHost();
    }

    public int localClusterPort() {
        return org.autosync.proxy.tls.ClientTls.port(localCluster);
    }

    /** Threads for the client/upstream event loops; never 0. */
    public int eventLoopThreads() {
        return eventLoopThreads == 0 ? Runtime.getRuntime().availableProcessors() : eventLoopThreads;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration responseHeaderTimeout() {
        return responseHeaderTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration poolIdleTimeout() {
        return poolIdleTimeout;
    }

    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    public int maxInitialLine() {
        return maxInitialLine;
    }

    public int maxHeaderSize() {
        return maxHeaderSize;
    }

    public int maxIdlePerLoop() {
        return maxIdlePerLoop;
    }

    /** {@code autosync.tls}: how Autosync's own https connections check their servers. */
    public org.autosync.proxy.tls.TlsSettings tls() {
        return tls;
    }

    /** {@code autosync.listen-tls}, or null: the client listener speaks plain http. */
    public org.autosync.proxy.tls.ListenTlsSettings listenTls() {
        return listenTls;
    }

    /** The multi-site settings, or null for a plain single-cluster pass-through. */
    public FederationSettings federation() {
        return federation;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts from the defaults of {@code reference.conf}. */
    public static final class Builder {
        private HostPort listen = new HostPort("127.0.0.1", 0);
        private HostPort adminListen = new HostPort("127.0.0.1", 0);
        private URI localCluster;
        private int eventLoopThreads;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseHeaderTimeout = Duration.ofSeconds(120);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration poolIdleTimeout = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private int maxInitialLine = 8192;
        private int maxHeaderSize = 32768;
        private int maxIdlePerLoop = 64;
        private FederationSettings federation;
        private org.autosync.proxy.tls.TlsSettings tls = org.autosync.proxy.tls.TlsSettings.DEFAULTS;
        private org.autosync.proxy.tls.ListenTlsSettings listenTls;

        private Builder() {
        }

        private Builder(Settings s) {
            listen = s.listen;
            adminListen = s.adminListen;
            localCluster = s.localCluster;
            eventLoopThreads = s.eventLoopThreads;
            connectTimeout = s.connectTimeout;
            responseHeaderTimeout = s.responseHeaderTimeout;
            idleTimeout = s.idleTimeout;
            poolIdleTimeout = s.poolIdleTimeout;
            shutdownGrace = s.shutdownGrace;
            maxInitialLine = s.maxInitialLine;
            maxHeaderSize = s.maxHeaderSize;
            maxIdlePerLoop = s.maxIdlePerLoop;
            federation = s.federation;
            tls = s.tls;
            listenTls = s.listenTls;
        }

        public Builder listen(HostPort v) {
            listen = requireNonNull(v, "listen");
            return this;
        }

        public Builder adminListen(HostPort v) {
            adminListen = requireNonNull(v, "adminListen");
            return this;
        }

        public Builder localCluster(URI v) {
            localCluster = requireNonNull(v, "localCluster");
            return this;
        }

        public Builder eventLoopThreads(int v) {
            eventLoopThreads = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = requireNonNull(v, "connectTimeout");
            return this;
        }

        public Builder responseHeaderTimeout(Duration v) {
            responseHeaderTimeout = requireNonNull(v, "responseHeaderTimeout");
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = requireNonNull(v, "idleTimeout");
            return this;
        }

        public Builder poolIdleTimeout(Duration v) {
            poolIdleTimeout = requireNonNull(v, "poolIdleTimeout");
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = requireNonNull(v, "shutdownGrace");
            return this;
        }

        public Builder maxInitialLine(int v) {
            maxInitialLine = v;
            return this;
        }

        public Builder maxHeaderSize(int v) {
            maxHeaderSize = v;
            return this;
        }

        public Builder maxIdlePerLoop(int v) {
            maxIdlePerLoop = v;
            return this;
        }

        public Builder federation(FederationSettings v) {
            federation = v;
            return this;
        }

        public Builder tls(org.autosync.proxy.tls.TlsSettings v) {
            tls = requireNonNull(v, "tls");
            return this;
        }

        public Builder listenTls(org.autosync.proxy.tls.ListenTlsSettings v) {
            listenTls = v;
            return this;
        }

        public Settings build() {
            return new Settings(this);
        }
    }
}
