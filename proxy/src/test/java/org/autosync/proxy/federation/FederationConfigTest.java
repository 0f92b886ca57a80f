package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.autosync.auth.AuthMode;
import org.autosync.auth.KeystoneCredentials;
import org.autosync.auth.ServiceCredentials;
import org.autosync.placement.Consistency;
import org.autosync.placement.Site;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.config.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The {@code autosync.sites ...} part of HOCON settings, parsed through {@link Settings#fromConfig}. */
class FederationConfigTest {
    private static final String VALID = """
            autosync {
              local-cluster = "http://127.0.0.1:8081"
              site = a
              sites {
                a { url = "http://127.0.0.1:9081", realm-cluster = cluster-a }
                b { url = "http://127.0.0.1:9082" }
              }
              sync-realm = lab
              sync-key-secret = "sync-key-secret-0123456789"
              peer-secret = "peer-secret-0123456789abcdef"
              service-credentials { auth-url = "http://127.0.0.1:8081/auth/v1.0", user = "admin:admin", key = admin }
              placement {
                default = [a, b]
                rules = [ { account = "AUTH_local*", container = "*", sites = [a] },
                          { account = "AUTH_b*", sites = [b] } ]
              }
            }
            """;

    private static Config valid() {
        return ConfigFactory.parseString(VALID);
    }

    private static Settings parse(Config c) {
        return Settings.fromConfig(c);
    }

    /** The valid config with {@code override} (HOCON) on top. */
    private static Config with(String override) {
        return ConfigFactory.parseString(override).withFallback(valid());
    }

    private static SettingsException refused(Config c) {
        return assertThrows(SettingsException.class, () -> parse(c));
    }

    private static void assertNames(SettingsException e, String key) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    }

    @Test
    void validTwoSiteConfigParses() {
        FederationSettings fed = parse(valid()).federation();
        assertEquals("a", fed.site().name());
        assertEquals(List.of("a", "b"), fed.sites().all().stream().map(Site::name).toList());
        assertEquals(URI.create("http://127.0.0.1:9082"), fed.sites().get("b").url());
        assertEquals("cluster-a", fed.sites().get("a").realmCluster());
        assertEquals("b", fed.sites().get("b").realmCluster(), "realm-cluster defaults to the site name");
        assertEquals(List.of("a", "b"), fed.policy().decide("AUTH_test", "c").names());
        assertEquals(List.of("a"), fed.policy().decide("AUTH_local1", "c").names());
        assertEquals(List.of("b"), fed.policy().decide("AUTH_bob", "c").names(), "container defaults to *");
        assertEquals("lab", fed.topology().realm());
        assertEquals(FederationFixture.hmacHex("sync-key-secret-0123456789", "AUTH_test/c"),
                fed.syncKeys().keyFor("AUTH_test", "c"));
        assertEquals("peer-secret-0123456789abcdef", new String(fed.peerSecrets().current(), StandardCharsets.UTF_8));
        assertFalse(fed.peerSecrets().hasPrevious());
        ServiceCredentials creds = assertInstanceOf(ServiceCredentials.class, fed.serviceIdentity());
        assertEquals(URI.create("http://127.0.0.1:8081/auth/v1.0"), creds.authUrl());
        assertEquals("admin:admin", creds.user());
        assertEquals("admin", creds.key());
        assertEquals(AuthMode.OVERRIDE, fed.authMode("a"), "auth defaults to override");
        // defaults from reference.conf
        assertEquals(Consistency.ALL, fed.consistency());
        assertEquals(Duration.ofSeconds(2), fed.peerConnectTimeout());
        assertEquals(Duration.ofSeconds(10), fed.peerResponseTimeout());
        assertEquals(64 * 1024, fed.maxBody());
        assertEquals(Duration.ofSeconds(60), fed.peerMaxSkew());
    }

    @Test
    void overriddenFanOutSettingsAreRead() {
        FederationSettings fed = parse(with("""
                autosync { consistency = QUORUM, peer-max-skew = 30s
                  fan-out { connect-timeout = 500ms, response-timeout = 3s, max-body = 1KiB } }
                """)).federation();
        assertEquals(Consistency.QUORUM, fed.consistency());
        assertEquals(Duration.ofMillis(500), fed.peerConnectTimeout());
        assertEquals(Duration.ofSeconds(3), fed.peerResponseTimeout());
        assertEquals(1024, fed.maxBody());
        assertEquals(Duration.ofSeconds(30), fed.peerMaxSkew());
    }

    @Test
    void withoutSitesThereIsNoFederation() {
        Settings s = parse(ConfigFactory.parseString("autosync.local-cluster = \"http://127.0.0.1:8081\""));
        assertNull(s.federation());
        assertNull(parse(valid().withoutPath("autosync.sites")).federation(), "sites = {} from reference.conf");
    }

    @Test
    void siteNotAmongSitesNamesAutosyncSite() {
        SettingsException e = refused(with("autosync.site = z"));
        assertNames(e, "autosync.site");
        assertTrue(e.getMessage().contains("'z'"), e.getMessage());
    }

    @Test
    void missingSiteNamesAutosyncSite() {
        assertNames(refused(valid().withoutPath("autosync.site")), "autosync.site");
    }

    @Test
    void unknownSiteInARuleNamesTheRule() {
        SettingsException e = refused(with(
                "autosync.placement.rules = [ { account = \"AUTH_x*\", sites = [q] } ]"));
        assertNames(e, "autosync.placement.rules[0].sites");
        assertTrue(e.getMessage().contains("'q'"), e.getMessage());
    }

    @Test
    void unknownSiteInSecondRuleNamesThatRule() {
        SettingsException e = refused(with("""
                autosync.placement.rules = [ { account = "AUTH_x*", sites = [a] }, { account = "y", sites = [a, q] } ]
                """));
        assertNames(e, "autosync.placement.rules[1].sites");
    }

    @Test
    void emptyDefaultPlacementNamesIt() {
        assertNames(refused(with("autosync.placement.default = []")), "autosync.placement.default");
    }

    @Test
    void duplicateSiteInDefaultPlacementNamesIt() {
        assertNames(refused(with("autosync.placement.default = [a, b, a]")), "autosync.placement.default");
    }

    @Test
    void missingPeerSecretNamesIt() {
        assertNames(refused(valid().withoutPath("autosync.peer-secret")), "autosync.peer-secret");
    }

    @Test
    void shortPeerSecretNamesIt() {
        assertNames(refused(with("autosync.peer-secret = short")), "autosync.peer-secret");
    }

    @Test
    void missingSyncKeySecretNamesIt() {
        assertNames(refused(valid().withoutPath("autosync.sync-key-secret")), "autosync.sync-key-secret");
    }

    @Test
    void siteWithoutUrlNamesItsUrlKey() {
        assertNames(refused(valid().withoutPath("autosync.sites.b.url")), "autosync.sites.b.url");
    }

    @Test
    void badConsistencyNamesIt() {
        SettingsException e = refused(with("autosync.consistency = most"));
        assertNames(e, "autosync.consistency");
        assertTrue(e.getMessage().contains("all, quorum or local"), e.getMessage());
    }

    @Test
    void maxBufferedIsReadAndMustHoldAtLeastOneWholeBody() throws Exception {
        assertEquals(FederationSettings.DEFAULT_MAX_BUFFERED, parse(valid()).federation().maxBuffered());
        assertEquals(8L << 20, parse(with("autosync.fan-out.max-buffered = 8MiB")).federation().maxBuffered());
        SettingsException small = refused(with("autosync.fan-out.max-buffered = 1KiB"));
        assertNames(small, "autosync.fan-out.max-buffered");
        assertTrue(small.getMessage().contains("autosync.fan-out.max-body"), small.getMessage());
        assertNames(refused(with("autosync.fan-out.max-buffered = lots")), "autosync.fan-out.max-buffered");
        // a max-body above the default max-buffered: both raised together is fine
        assertEquals(200L << 20, parse(with("autosync.fan-out.max-body = 100MiB\nautosync.fan-out.max-buffered = 200MiB"))
                .federation().maxBuffered());
        assertNames(refused(with("autosync.fan-out.max-body = 100MiB")), "autosync.fan-out.max-buffered");
        assertNames(refused(with("autosync.fan-out.max-body = 0\nautosync.fan-out.max-buffered = 0")),
                "autosync.fan-out.max-buffered");
    }

    @Test
    void missingServiceCredentialsUserNamesIt() {
        assertNames(refused(valid().withoutPath("autosync.service-credentials.user")),
                "autosync.service-credentials.user");
    }

    // ------------------------------------------------------------------ auth modes, identities, secrets

    @Test
    void forwardSiteNeedsNoServiceCredentialsWhenRepairIsOff() {
        FederationSettings fed = parse(with("autosync.sites.a.auth = forward\nautosync.repair.enabled = false")
                .withoutPath("autosync.service-credentials")).federation();
        assertEquals(AuthMode.FORWARD, fed.authMode("a"));
        assertEquals(AuthMode.OVERRIDE, fed.authMode("b"));
        assertNull(fed.serviceIdentity());
        assertFalse(fed.repair().enabled());
    }

    @Test
    void repairWithoutServiceCredentialsNamesTheRepairKey() {
        SettingsException e = refused(with("autosync.sites.a.auth = forward")
                .withoutPath("autosync.service-credentials"));
        assertNames(e, "autosync.repair.enabled");
        assertTrue(e.getMessage().contains("service-credentials"), e.getMessage());
    }

    @Test
    void forwardSiteWithServiceCredentialsKeepsThemForRepair() {
        FederationSettings fed = parse(with("autosync.sites.a.auth = forward")).federation();
        assertEquals(AuthMode.FORWARD, fed.authMode("a"));
        assertNotNull(fed.serviceIdentity());
        assertTrue(fed.repair().enabled());
    }

    @Test
    void repairDefaults() {
        var r = parse(valid()).federation().repair();
        assertTrue(r.enabled());
        assertEquals("AUTH_autosync", r.account());
        assertEquals(java.time.Duration.ofSeconds(5), r.interval());
        assertEquals(java.time.Duration.ofMinutes(5), r.maxBackoff());
        assertEquals(1, r.workers());
        assertEquals(0, r.workerIndex());
        assertEquals(java.time.Duration.ofDays(2), r.staleAfter());
        assertEquals(8, r.concurrency());
        assertEquals(java.time.Duration.ofSeconds(300), r.syncPass());
        assertEquals(java.time.Duration.ofHours(1), r.drainDeadline());
        assertEquals(100, parse(valid()).federation().reconcile().maxDeletes());
        assertEquals(java.time.Duration.ofDays(7), parse(valid()).federation().reconcile().keepDeletes());
        assertEquals(0, parse(with("autosync.reconcile.max-deletes = 0")).federation().reconcile().maxDeletes());
    }

    @Test
    void badRepairSettingsNameTheirKeys() {
        assertNames(refused(with("autosync.repair { workers = 2, worker-index = 2 }")), "autosync.repair.worker-index");
        assertNames(refused(with("autosync.repair.workers = 0")), "autosync.repair.workers");
        assertNames(refused(with("autosync.repair.account = \"AUTH_a/b\"")), "autosync.repair.account");
        assertNames(refused(with("autosync.repair.account = \"\"")), "autosync.repair.account");
        assertNames(refused(with("autosync.repair.interval = 0s")), "autosync.repair.interval");
        assertNames(refused(with("autosync.repair { interval = 10m, max-backoff = 1m }")), "autosync.repair.max-backoff");
        assertNames(refused(with("autosync.repair.enabled = maybe")), "autosync.repair.enabled");
        assertNames(refused(with("autosync.repair.stale-after = soon")), "autosync.repair.stale-after");
        assertNames(refused(with("autosync.repair.concurrency = 0")), "autosync.repair.concurrency");
        assertNames(refused(with("autosync.deletes.sync-interval = 0s")), "autosync.deletes.sync-interval");
        assertNames(refused(with("autosync.deletes { sync-interval = 10m, deadline = 15m }")),
                "autosync.deletes.deadline");
        assertNames(refused(with("autosync.reconcile.interval = -1s")), "autosync.reconcile.interval");
        assertNames(refused(with("autosync.reconcile.accounts = [\"a/b\"]")), "autosync.reconcile.accounts");
        assertNames(refused(with("autosync.reconcile.concurrency = 1000")), "autosync.reconcile.concurrency");
        assertNames(refused(with("autosync.reconcile.max-deletes = -1")), "autosync.reconcile.max-deletes");
        assertNames(refused(with("autosync.reconcile.max-deletes = lots")), "autosync.reconcile.max-deletes");
        assertNames(refused(with("autosync.reconcile.keep-deletes = 10m")), "autosync.reconcile.keep-deletes");
        assertNames(refused(with("autosync.reconcile.keep-deletes = soon")), "autosync.reconcile.keep-deletes");
        assertNames(refused(with("autosync.repair.interval = 1ms")), "autosync.repair.interval");
        assertNames(refused(with("autosync.reconcile.interval = 10ms")), "autosync.reconcile.interval");
        assertNames(refused(with("autosync.reconcile.accounts = [\" AUTH_x\"]")), "autosync.reconcile.accounts");
        assertNames(refused(with("autosync.reconcile.accounts = [AUTH_autosync]")), "autosync.reconcile.accounts");
    }

    @Test
    void badAuthModeNamesTheSitesKey() {
        SettingsException e = refused(with("autosync.sites.b.auth = trust-me"));
        assertNames(e, "autosync.sites.b.auth");
        assertTrue(e.getMessage().contains("forward or override"), e.getMessage());
    }

    @Test
    void keystoneIdentityIsReadWithItsDefaults() {
        FederationSettings fed = parse(with("""
                autosync.service-credentials { type = keystone, auth-url = "http://127.0.0.1:5000/v3",
                  user = autosync, key = "ks-password", project = service, region = a }
                """)).federation();
        KeystoneCredentials k = assertInstanceOf(KeystoneCredentials.class, fed.serviceIdentity());
        assertEquals(URI.create("http://127.0.0.1:5000/v3"), k.authUrl());
        assertEquals("autosync", k.user());
        assertEquals("ks-password", k.password());
        assertEquals("service", k.project());
        assertEquals("Default", k.userDomain());
        assertEquals("Default", k.projectDomain());
        assertEquals("a", k.region());
    }

    @Test
    void keystoneWithoutProjectNamesIt() {
        assertNames(refused(with("autosync.service-credentials { type = keystone, "
                + "auth-url = \"http://127.0.0.1:5000/v3\" }")), "autosync.service-credentials.project");
    }

    @Test
    void keystoneUrlThatIsNotV3NamesIt() {
        assertNames(refused(with("autosync.service-credentials { type = keystone, project = p, "
                + "auth-url = \"http://127.0.0.1:5000/v2.0\" }")), "autosync.service-credentials.auth-url");
    }

    @Test
    void unknownIdentityTypeNamesIt() {
        assertNames(refused(with("autosync.service-credentials.type = ldap")), "autosync.service-credentials.type");
    }

    @Test
    void peerSecretCurrentAndPrevious() {
        FederationSettings fed = parse(with("autosync.peer-secret { current = \"the-new-peer-secret-0123\", "
                + "previous = \"the-old-peer-secret-4567\" }")).federation();
        assertEquals("the-new-peer-secret-0123", new String(fed.peerSecrets().current(), StandardCharsets.UTF_8));
        assertEquals(2, fed.peerSecrets().forVerifying().size());
    }

    @Test
    void peerSecretFromTheEnvironmentViaSubstitution() {
        // ${?VAR} is how a config takes secrets from the environment; PATH is set in every test run
        String path = System.getenv("PATH");
        assumeTrue(path != null && path.length() >= 16);
        Config c = ConfigFactory.parseString("autosync.peer-secret { current = ${?PATH} }").withFallback(valid())
                .resolve();
        assertEquals(path, new String(parse(c).federation().peerSecrets().current(), StandardCharsets.UTF_8));
    }

    @Test
    void missingCurrentSecretNamesIt() {
        Config c = ConfigFactory.parseString("autosync.peer-secret { current = ${?AUTOSYNC_NO_SUCH_VARIABLE_SET} }")
                .withFallback(valid().withoutPath("autosync.peer-secret")).resolve();
        assertNames(refused(c), "autosync.peer-secret.current");
    }

    @Test
    void shortPreviousSecretNamesItWithoutShowingIt() {
        SettingsException e = refused(with("autosync.peer-secret { current = \"the-new-peer-secret-0123\", "
                + "previous = tiny-secret }"));
        assertNames(e, "autosync.peer-secret.previous");
        assertFalse(e.getMessage().contains("tiny-secret"), e.getMessage());
    }

    @Test
    void peerSecretsFromAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("peer-secret");
        Files.writeString(f, "# rotated 2026-11-21\nthe-new-peer-secret-0123\nthe-old-peer-secret-4567\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        FederationSettings fed = parse(with("autosync.peer-secret.file = \"" + f + "\"")).federation();
        assertEquals("the-new-peer-secret-0123", new String(fed.peerSecrets().current(), StandardCharsets.UTF_8));
        assertTrue(fed.peerSecrets().hasPrevious());
    }

    @Test
    void worldReadableSecretFileIsWarnedAbout(@TempDir Path dir)
            throws Exception {
        Path f = dir.resolve("peer-secret");
        Files.writeString(f, "the-new-peer-secret-0123\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Logger logger = (Logger)
                LoggerFactory.getLogger("org.autosync.proxy.config.PeerSecretSettings");
        ListAppender<ILoggingEvent> seen =
                new ListAppender<>();
        seen.start();
        logger.addAppender(seen);
        try {
            parse(with("autosync.peer-secret.file = \"" + f + "\""));
        } finally {
            logger.detachAppender(seen);
        }
        assertEquals(1, seen.list.size(), seen.list.toString());
        String line = seen.list.get(0).getFormattedMessage();
        assertEquals(Level.WARN, seen.list.get(0).getLevel());
        assertTrue(line.contains("readable by all users") && line.contains(f.toString()), line);
        assertFalse(line.contains("the-new-peer-secret-0123"), line);
    }

    @Test
    void fileAndInlineSecretTogetherAreRefused() {
        assertNames(refused(with("autosync.peer-secret { file = /x, current = \"the-new-peer-secret-0123\" }")),
                "autosync.peer-secret");
    }

    @Test
    void unreadableSecretFileNamesTheKey() {
        assertNames(refused(with("autosync.peer-secret.file = /nonexistent/peer-secret")), "autosync.peer-secret.file");
    }

    @Test
    void httpsUrlsAreAcceptedForPeersAndAuthAndOtherSchemesAreNot() {
        FederationSettings fed = parse(with("autosync.sites.b.url = \"https://b.example:9082\"\n"
                + "autosync.service-credentials.auth-url = \"https://127.0.0.1:8081/auth/v1.0\"")).federation();
        assertEquals("https", fed.sites().get("b").url().getScheme());
        assertNames(refused(with("autosync.sites.b.url = \"ftp://127.0.0.1:9082\"")), "autosync.sites.b");
        assertNames(refused(with("autosync.service-credentials.auth-url = \"ftp://127.0.0.1/auth/v1.0\"")),
                "autosync.service-credentials.auth-url");
    }

    @Test
    void accountDeleteIsOffByDefaultAndABadValueNamesTheKey() {
        assertFalse(parse(with("")).federation().allowAccountDelete());
        assertTrue(parse(with("autosync.fan-out.allow-account-delete = true")).federation().allowAccountDelete());
        assertNames(refused(with("autosync.fan-out.allow-account-delete = sometimes")),
                "autosync.fan-out.allow-account-delete");
    }

    @Test
    void metadataLimitsDefaultToSwiftsAndBadValuesNameTheirKeys() {
        assertEquals(90, parse(with("")).federation().metaLimits().count());
        assertEquals(4096, parse(with("")).federation().metaLimits().overallSize());
        assertNames(refused(with("autosync.fan-out.max-meta-count = -1")), "autosync.fan-out.max-meta-count");
        assertNames(refused(with("autosync.fan-out.max-meta-overall-size = big")),
                "autosync.fan-out.max-meta-overall-size");
    }

    @Test
    void peerHealthDefaultsAndBadValuesNameTheirKeys() {
        assertEquals(java.time.Duration.ofSeconds(2), parse(with("")).federation().peerHealth().interval());
        assertEquals(2, parse(with("")).federation().peerHealth().openAfter());
        assertNames(refused(with("autosync.peer-health.interval = 10ms")), "autosync.peer-health.interval");
        assertNames(refused(with("autosync.peer-health.interval = soon")), "autosync.peer-health.interval");
        assertNames(refused(with("autosync.peer-health.open-after = 0")), "autosync.peer-health.open-after");
    }

    @Test
    void ringDefaultsAndBadValuesNameTheirKeys() {
        assertEquals(java.time.Duration.ofMinutes(10), parse(with("")).federation().ring().detourAfter());
        assertEquals(java.time.Duration.ofMinutes(1), parse(with("")).federation().ring().returnAfter());
        assertEquals(20, parse(with("")).federation().ring().rewireRate());
        assertEquals(false, parse(with("autosync.ring.detour-after = 0")).federation().ring().detours());
        assertNames(refused(with("autosync.ring.detour-after = 10ms")), "autosync.ring.detour-after");
        assertNames(refused(with("autosync.ring.detour-after = -1m")), "autosync.ring.detour-after");
        assertNames(refused(with("autosync.ring.return-after = later")), "autosync.ring.return-after");
        assertNames(refused(with("autosync.ring.return-after = 25h")), "autosync.ring.return-after");
        assertNames(refused(with("autosync.ring.detour-after = 169h")), "autosync.ring.detour-after");
        assertEquals(java.time.Duration.ofDays(7),
                parse(with("autosync.ring.detour-after = 7d")).federation().ring().detourAfter());
        assertNames(refused(with("autosync.ring.rewire-rate = 0")), "autosync.ring.rewire-rate");
        assertNames(refused(with("autosync.ring.rewire-rate = fast")), "autosync.ring.rewire-rate");
    }

    @Test
    void badMaxBodyAndBadRealmNameTheirKeys() {
        assertNames(refused(with("autosync.fan-out.max-body = lots")), "autosync.fan-out.max-body");
        assertNames(refused(with("autosync.sync-realm = \"a/b\"")), "autosync.sync-realm");
    }
}
