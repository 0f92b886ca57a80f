package org.autosync.proxy.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autosync.auth.AuthMode;
import org.autosync.auth.KeystoneCredentials;
import org.autosync.auth.PeerSecrets;
import org.autosync.auth.ServiceCredentials;
import org.autosync.auth.ServiceIdentity;
import org.autosync.placement.Consistency;
import org.autosync.placement.PlacementPolicy;
import org.autosync.placement.Site;
import org.autosync.placement.Sites;
import org.autosync.placement.SyncKeys;
import org.autosync.placement.SyncTopology;

/** The multi-site part of the settings: present only when {@code autosync.sites} names sites. */
public final class FederationSettings {
    private final Site site;
    private final Sites sites;
    private final PlacementPolicy policy;
    private final SyncTopology topology;
    private final SyncKeys syncKeys;
    private final Map<String, AuthMode> authModes;
    private final PeerSecrets peerSecrets;
    private final ServiceIdentity serviceIdentity; // null when this site's auth mode is forward
    private final Consistency consistency;
    private final Duration peerConnectTimeout;
    private final Duration peerResponseTimeout;
    private final int maxBody;
    private final Duration peerMaxSkew;
    private final int maxNameLength;
    private final RepairSettings repair;
    private final ReconcileSettings reconcile;
    private final boolean allowAccountDelete;
    private final PeerHealthSettings peerHealth;
    private final MetaLimits metaLimits;
    private final Duration canaryInterval;
    private final RingSettings ring;
    private final long maxBuffered;
    /** {@code fan-out.max-buffered}'s default: request bodies read whole, held at once. */
    public static final long DEFAULT_MAX_BUFFERED = 64L << 20;

    public FederationSettings(Site site, Sites sites, PlacementPolicy policy, SyncTopology topology,
                              SyncKeys syncKeys, Map<String, AuthMode> authModes, PeerSecrets peerSecrets,
                              ServiceIdentity serviceIdentity,
                              Consistency consistency, Duration peerConnectTimeout,
                              Duration peerResponseTimeout, int maxBody, Duration peerMaxSkew, int maxNameLength) {
        this(site, sites, policy, topology, syncKeys, authModes, peerSecrets, serviceIdentity, consistency,
                peerConnectTimeout, peerResponseTimeout, maxBody, peerMaxSkew, maxNameLength, RepairSettings.off(),
                ReconcileSettings.defaults());
    }

    public FederationSettings(Site site, Sites sites, PlacementPolicy policy, SyncTopology topology,
                              SyncKeys syncKeys, Map<String, AuthMode> authModes, PeerSecrets peerSecrets,
                              ServiceIdentity serviceIdentity,
                              Consistency consistency, Duration peerConnectTimeout,
                              Duration peerResponseTimeout, int maxBody, Duration peerMaxSkew, int maxNameLength,
                              RepairSettings repair, ReconcileSettings reconcile) {
        this(site, sites, policy, topology, syncKeys, authModes, peerSecrets, serviceIdentity, consistency,
                peerConnectTimeout, peerResponseTimeout, maxBody, peerMaxSkew, maxNameLength,
                new Extras(repair, reconcile));
    }

    /**
     * The settings added after the first ones, each changed by its wither on a copy: one place
     * that copies them, so a new one is one field here and one wither.
     */
    private static final class Extras {
        RepairSettings repair;
        ReconcileSettings reconcile;
        boolean allowAccountDelete;
        PeerHealthSettings peerHealth = PeerHealthSettings.defaults();
        MetaLimits metaLimits = MetaLimits.SWIFT_DEFAULTS;
        Duration canaryInterval = Duration.ZERO;
        RingSettings ring = RingSettings.defaults();
        long maxBuffered = DEFAULT_MAX_BUFFERED;

        Extras(RepairSettings repair, ReconcileSettings reconcile) {
            this.repair = requireNonNull(repair, "repair");
            this.reconcile = requireNonNull(reconcile, "reconcile");
        }

        Extras(FederationSettings f) {
            this(f.repair, f.reconcile);
            allowAccountDelete = f.allowAccountDelete;
            peerHealth = f.peerHealth;
            metaLimits = f.metaLimits;
            canaryInterval = f.canaryInterval;
            ring = f.ring;
            maxBuffered = f.maxBuffered;
        }
    }

    private FederationSettings(Site site, Sites sites, PlacementPolicy policy, SyncTopology topology,
                               SyncKeys syncKeys, Map<String, AuthMode> authModes, PeerSecrets peerSecrets,
                               ServiceIdentity serviceIdentity,
                               Consistency consistency, Duration peerConnectTimeout,
                               Duration peerResponseTimeout, int maxBody, Duration peerMaxSkew, int maxNameLength,
                               Extras extras) {
        this.canaryInterval = requireNonNull(extras.canaryInterval, "canaryInterval");
        this.allowAccountDelete = extras.allowAccountDelete;
        this.metaLimits = requireNonNull(extras.metaLimits, "metaLimits");
        this.peerHealth = requireNonNull(extras.peerHealth, "peerHealth");
        this.ring = requireNonNull(extras.ring, "ring");
        this.maxBuffered = extras.maxBuffered;
        RepairSettings repair = extras.repair;
        ReconcileSettings reconcile = extras.reconcile;
        this.site = requireNonNull(site, "site");
        this.sites = requireNonNull(sites, "sites");
        this.policy = requireNonNull(policy, "policy");
        this.topology = requireNonNull(topology, "topology");
        this.syncKeys = requireNonNull(syncKeys, "syncKeys");
        this.authModes = Map.copyOf(requireNonNull(authModes, "authModes"));
        this.peerSecrets = requireNonNull(peerSecrets, "peerSecrets");
        this.serviceIdentity = serviceIdentity;
        for (Site s : sites.all()) {
            if (!this.authModes.containsKey(s.name())) {
                throw new IllegalArgumentException("authModes: no mode for site " + s.name());
            }
        }
        if (serviceIdentity == null && authMode(site.name()) == AuthMode.OVERRIDE) {
            throw new IllegalArgumentException("serviceIdentity: required, site " + site.name()
                    + " is in override mode");
        }
        this.consistency = requireNonNull(consistency, "consistency");
        this.peerConnectTimeout = requireNonNull(peerConnectTimeout, "peerConnectTimeout");
        this.peerResponseTimeout = requireNonNull(peerResponseTimeout, "peerResponseTimeout");
        this.maxBody = maxBody;
        this.peerMaxSkew = requireNonNull(peerMaxSkew, "peerMaxSkew");
        this.maxNameLength = maxNameLength;
        this.repair = requireNonNull(repair, "repair");
        this.reconcile = requireNonNull(reconcile, "reconcile");
        if (repair.enabled() && serviceIdentity == null) {
            throw new IllegalArgumentException("repair: needs service-credentials (site " + site.name()
                    + " keeps its repair records in its own Swift as its service user)");
        }
    }

    public ReconcileSettings reconcile() {
        return reconcile;
    }

    /** The accounts the reconcile always covers. */
    public java.util.List<String> reconcileAccounts() {
        return reconcile.accounts();
    }

    private FederationSettings with(java.util.function.Consumer<Extras> change) {
        Extras e = new Extras(this);
        change.accept(e);
        return new FederationSettings(site, sites, policy, topology, syncKeys, authModes, peerSecrets, serviceIdentity,
                consistency, peerConnectTimeout, peerResponseTimeout, maxBody, peerMaxSkew, maxNameLength, e);
    }

    /** A copy with other repair settings. */
    public FederationSettings withRepair(RepairSettings r) {
        return with(e -> e.repair = requireNonNull(r, "repair"));
    }

    /** A copy that holds at most this many bytes of request bodies read whole at once. */
    public FederationSettings withMaxBuffered(long bytes) {
        if (bytes < Math.max(1, maxBody)) {
            throw new IllegalArgumentException("maxBuffered: must be at least maxBody (" + maxBody + " bytes) and 1");
        }
        return with(e -> e.maxBuffered = bytes);
    }

    /** Bytes of request bodies read whole (fan-outs, peer requests, bulk deletes) held at once. */
    public long maxBuffered() {
        return maxBuffered;
    }

    /** A copy that carries out account DELETEs (of accounts empty at every site) or refuses them. */
    public FederationSettings withAllowAccountDelete(boolean allow) {
        return with(e -> e.allowAccountDelete = allow);
    }

    /** A copy with other peer health settings. */
    public FederationSettings withPeerHealth(PeerHealthSettings h) {
        return with(e -> e.peerHealth = h);
    }

    /** A copy with other metadata limits. */
    public FederationSettings withMetaLimits(MetaLimits m) {
        return with(e -> e.metaLimits = m);
    }

    /** A copy that writes and reads sync canaries every {@code interval}; zero: none. */
    public FederationSettings withCanaryInterval(Duration interval) {
        return with(e -> e.canaryInterval = interval);
    }

    /** A copy with other settings for routing rings around a down site. */
    public FederationSettings withRing(RingSettings r) {
        return with(e -> e.ring = r);
    }

    /** {@code ring}: when this site's copies sync around a peer that is down. */
    public RingSettings ring() {
        return ring;
    }

    /** {@code canary.interval}: how often this site writes its canary and reads the others'; zero: never. */
    public Duration canaryInterval() {
        return canaryInterval;
    }

    /** {@code fan-out.max-meta-count} and {@code fan-out.max-meta-overall-size}: Swift's, at every site. */
    public MetaLimits metaLimits() {
        return metaLimits;
    }

    /**
     * Swift's {@code max_meta_count} and {@code max_meta_overall_size} ([swift-constraints]); 0
     * leaves the check to each cluster.
     */
    public record MetaLimits(int count, int overallSize) {
        public static final MetaLimits SWIFT_DEFAULTS = new MetaLimits(90, 4096);

        public MetaLimits {
            if (count < 0 || overallSize < 0) {
                throw new IllegalArgumentException("metaLimits: negative");
            }
        }
    }

    /** {@code peer-health}: how peers are checked, and when the fan-out stops trying one. */
    public PeerHealthSettings peerHealth() {
        return peerHealth;
    }

    /** {@code fan-out.allow-account-delete}: off, an account DELETE gets 405. */
    public boolean allowAccountDelete() {
        return allowAccountDelete;
    }

    /** Null when {@code c} (the {@code autosync} block) names no sites. */
    static FederationSettings fromConfig(Config c) {
        ConfigObject siteObjects = c.getObject("sites");
        if (siteObjects.isEmpty()) {
            return null;
        }
        List<Site> list = new ArrayList<>();
        Map<String, AuthMode> modes = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : siteObjects.entrySet()) {
            String name = e.getKey();
            String key = "sites." + name;
            if (siteObjects.get(name).valueType() != ConfigValueType.OBJECT) {
                throw new SettingsException("autosync." + key, "must be { url = ..., realm-cluster = ... }");
            }
            Config s = c.getConfig(quoted("sites", name));
            String url = string(s, "url", "autosync." + key + ".url");
            String realmCluster = s.hasPath("realm-cluster")
                    ? string(s, "realm-cluster", "autosync." + key + ".realm-cluster") : name;
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException ex) {
                throw new SettingsException("autosync." + key + ".url", "'" + url + "' is not a URL");
            }
            String mode = s.hasPath("auth") ? string(s, "auth", "autosync." + key + ".auth") : "override";
            try {
                modes.put(name, AuthMode.parse(mode));
            } catch (IllegalArgumentException ex) {
                throw new SettingsException("autosync." + key + ".auth", ex.getMessage());
            }
            try {
                list.add(new Site(name, uri, realmCluster));
            } catch (IllegalArgumentException ex) {
                throw new SettingsException("autosync." + key, ex.getMessage());
            }
        }
        Sites sites = new Sites(list);
        String siteName = string(c, "site", "autosync.site");
        Site site = sites.find(siteName).orElseThrow(() -> new SettingsException("autosync.site",
                "'" + siteName + "' is not one of autosync.sites " + names(sites)));
        PlacementPolicy policy;
        try {
            PlacementPolicy.Builder b = PlacementPolicy.builder(sites)
                    .defaultSites(c.getStringList("placement.default"));
            List<? extends Config> rules = c.getConfigList("placement.rules");
            for (int i = 0; i < rules.size(); i++) {
                Config r = rules.get(i);
                String at = "autosync.placement.rules[" + i + "]";
                b.addRule(string(r, "account", at + ".account"), r.hasPath("container")
                        ? string(r, "container", at + ".container") : "*", stringList(r, "sites", at + ".sites"));
            }
            policy = b.build();
        } catch (IllegalArgumentException ex) {
            String msg = ex.getMessage();
            int colon = msg.indexOf(": ");
            if (msg.startsWith("placement") && colon > 0) {
                throw new SettingsException("autosync." + msg.substring(0, colon), msg.substring(colon + 2));
            }
            throw new SettingsException("autosync.placement", msg);
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.placement", ex.getMessage());
        }
        SyncTopology topology;
        try {
            topology = new SyncTopology(string(c, "sync-realm", "autosync.sync-realm"));
        } catch (IllegalArgumentException ex) {
            throw new SettingsException("autosync.sync-realm", ex.getMessage());
        }
        SyncKeys keys = new SyncKeys(secret(c, "sync-key-secret"));
        PeerSecrets peerSecrets = PeerSecretSettings.fromConfig(c);
        // forward mode needs no service identity for its peers, but repair does: optional there
        ServiceIdentity identity = modes.get(siteName) == AuthMode.OVERRIDE
                || c.hasPath("service-credentials.auth-url") ? serviceIdentity(c) : null;
        RepairSettings repair = RepairSettings.fromConfig(c);
        ReconcileSettings reconcile = ReconcileSettings.fromConfig(c);
        if (reconcile.accounts().contains(repair.account())) {
            throw new SettingsException("autosync.reconcile.accounts", "'" + repair.account()
                    + "' is autosync.repair.account, Autosync's own: it is never reconciled");
        }
        if (repair.enabled() && identity == null) {
            throw new SettingsException("autosync.repair.enabled", "needs autosync.service-credentials: repair "
                    + "records live in this site's Swift (or set repair.enabled = false, and lose what a site misses)");
        }
        Consistency consistency;
        try {
            consistency = Consistency.parse(c.getString("consistency"));
        } catch (IllegalArgumentException ex) {
            throw new SettingsException("autosync.consistency", ex.getMessage());
        }
        return new FederationSettings(site, sites, policy, topology, keys, modes, peerSecrets, identity, consistency,
                duration(c, "fan-out.connect-timeout"), duration(c, "fan-out.response-timeout"),
                maxBody(c),
                duration(c, "peer-max-skew"), nonNegative(c, "fan-out.max-name-length"), repair, reconcile)
                .withAllowAccountDelete(RepairSettings.bool(c, "fan-out.allow-account-delete"))
                .withPeerHealth(PeerHealthSettings.fromConfig(c))
                .withMetaLimits(new MetaLimits(nonNegative(c, "fan-out.max-meta-count"),
                        nonNegative(c, "fan-out.max-meta-overall-size")))
                .withCanaryInterval(canaryInterval(c, repair))
                .withRing(RingSettings.fromConfig(c))
                .withMaxBuffered(maxBuffered(c));
    }

    private static ServiceIdentity serviceIdentity(Config c) {
        String at = "autosync.service-credentials";
        String type = string(c, "service-credentials.type", at + ".type");
        String authUrlText = string(c, "service-credentials.auth-url", at + ".auth-url");
        URI authUrl;
        try {
            authUrl = new URI(authUrlText);
        } catch (URISyntaxException ex) {
            throw new SettingsException(at + ".auth-url", "'" + authUrlText + "' is not a URL");
        }
        String user = string(c, "service-credentials.user", at + ".user");
        String key = string(c, "service-credentials.key", at + ".key");
        try {
            switch (type) {
                case "tempauth":
                    return new ServiceCredentials(authUrl, user, key);
                case "keystone":
                    String region = c.hasPath("service-credentials.region")
                            ? string(c, "service-credentials.region", at + ".region") : null;
                    return new KeystoneCredentials(authUrl, user, key,
                            string(c, "service-credentials.project", at + ".project"),
                            string(c, "service-credentials.user-domain", at + ".user-domain"),
                            string(c, "service-credentials.project-domain", at + ".project-domain"), region);
                default:
                    throw new SettingsException(at + ".type", "must be tempauth or keystone, not '" + type + "'");
            }
        } catch (IllegalArgumentException ex) {
            String msg = ex.getMessage();
            int colon = msg.indexOf(": ");
            String field = colon > 0 ? msg.substring(0, colon) : "";
            String name = switch (field) {
                case "authUrl" -> "auth-url";
                case "userDomain" -> "user-domain";
                case "projectDomain" -> "project-domain";
                case "password" -> "key";
                default -> field;
            };
            throw new SettingsException(name.isEmpty() ? at : at + "." + name,
                    colon > 0 ? msg.substring(colon + 2) : msg);
        }
    }

    private static long maxBuffered(Config c) {
        long bytes;
        try {
            bytes = c.getBytes("fan-out.max-buffered");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.fan-out.max-buffered", ex.getMessage());
        }
        long body = maxBody(c);
        if (bytes < Math.max(1, body)) {
            throw new SettingsException("autosync.fan-out.max-buffered", "must be at least autosync.fan-out.max-body ("
                    + body + " bytes) and 1 byte, else no such body could be read");
        }
        return bytes;
    }

    private static int maxBody(Config c) {
        try {
            return (int) Math.min(Integer.MAX_VALUE, c.getBytes("fan-out.max-body"));
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.fan-out.max-body", ex.getMessage());
        }
    }


    private static Duration canaryInterval(Config c, RepairSettings repair) {
        Duration d;
        try {
            d = c.getDuration("canary.interval");
        } catch (ConfigException ex) {
            throw new SettingsException("autosync.canary.interval", ex.getMessage());
        }
        if (d.isNegative() || !d.isZero() && d.toMillis() < 1000) {
            throw new SettingsException("autosync.canary.interval", "must be 0 (off) or at least 1s");
        }
        // canaries live in the repair account, written as the service user: without repair, none
        return repair.enabled() ? d : Duration.ZERO;
    }

    private static int nonNegative(Config c, String key) {
        try {
            int n = c.getInt(key);
            if (n < 0) {
                throw new SettingsException("autosync." + key, "must be 0 (no check) or positive");
            }
            return n;
        } catch (ConfigException ex) {
            throw new SettingsException("autosync." + key, ex.getMessage());
        }
    }

    private static String quoted(String parent, String name) {
        return parent + ".\"" + name + "\"";
    }

    private static List<String> names(Sites sites) {
        return sites.all().stream().map(Site::name).toList();
    }

    static String string(Config c, String path, String key) {
        try {
            String v = c.getString(path);
            if (v.isBlank()) {
                throw new SettingsException(key, "must not be empty");
            }
            return v;
        } catch (ConfigException.Missing ex) {
            throw new SettingsException(key, "is required");
        } catch (ConfigException ex) {
            throw new SettingsException(key, ex.getMessage());
        }
    }

    private static List<String> stringList(Config c, String path, String key) {
        try {
            return c.getStringList(path);
        } catch (ConfigException.Missing ex) {
            throw new SettingsException(key, "is required");
        } catch (ConfigException ex) {
            throw new SettingsException(key, ex.getMessage());
        }
    }

    private static byte[] secret(Config c, String path) {
        String key = "autosync." + path;
        String v = string(c, path, key);
        if (v.length() < 16) {
            throw new SettingsException(key, "is too short (at least 16 characters)");
        }
        return v.getBytes(StandardCharsets.UTF_8);
    }

    /** A positive duration at {@code autosync.<path>}; errors name the key. */
    static Duration duration(Config c, String path) {
        try {
            Duration d = c.getDuration(path);
            if (d.isNegative() || d.isZero()) {
                throw new SettingsException("autosync." + path, "must be positive");
            }
            return d;
        } catch (ConfigException ex) {
            throw new SettingsException("autosync." + path, ex.getMessage());
        }
    }

    public Site site() {
        return site;
    }

    public Sites sites() {
        return sites;
    }

    public PlacementPolicy policy() {
        return policy;
    }

    public SyncTopology topology() {
        return topology;
    }

    public SyncKeys syncKeys() {
        return syncKeys;
    }

    /** How {@code siteName} applies its peers' requests. */
    public AuthMode authMode(String siteName) {
        AuthMode m = authModes.get(siteName);
        if (m == null) {
            throw new IllegalArgumentException("unknown site " + siteName);
        }
        return m;
    }

    public PeerSecrets peerSecrets() {
        return peerSecrets;
    }

    public RepairSettings repair() {
        return repair;
    }

    /** This site's own service identity; null in forward mode without service-credentials. */
    public ServiceIdentity serviceIdentity() {
        return serviceIdentity;
    }

    public Consistency consistency() {
        return consistency;
    }

    public Duration peerConnectTimeout() {
        return peerConnectTimeout;
    }

    public Duration peerResponseTimeout() {
        return peerResponseTimeout;
    }

    public int maxBody() {
        return maxBody;
    }

    public Duration peerMaxSkew() {
        return peerMaxSkew;
    }

    /** Longest account or container name (UTF-8 bytes) a PUT may create; 0: Swift alone decides. */
    public int maxNameLength() {
        return maxNameLength;
    }

    @Override
    public String toString() {
        return "FederationSettings{site=" + site.name() + ", sites=" + names(sites) + ", auth=" + authModes
                + ", consistency=" + consistency.label() + "}";
    }
}
