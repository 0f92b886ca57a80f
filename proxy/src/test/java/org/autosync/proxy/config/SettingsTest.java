package org.autosync.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    private static final String BASE = "autosync {\n"
            + "  listen = \"127.0.0.1:19081\"\n"
            + "  admin-listen = \"127.0.0.1:19181\"\n"
            + "  local-cluster = \"http://127.0.0.1:8081\"\n"
            + "}\n";

    @TempDir
    Path dir;

    private File write(String content) throws IOException {
        Path f = dir.resolve("proxy.conf");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f.toFile();
    }

    /** The base file with {@code extra} (HOCON, full paths) appended: later keys win. */
    private SettingsException rejected(String extra) throws IOException {
        File f = write(BASE + extra + "\n");
        return assertThrows(SettingsException.class, () -> Settings.load(f));
    }

    private static void assertNames(SettingsException e, String key) {
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void theThreeRequiredKeysAreEnoughAndEverythingElseDefaults() throws IOException {
        Settings s = Settings.load(write(BASE));
        assertEquals(new HostPort("127.0.0.1", 19081), s.listen());
        assertEquals(new HostPort("127.0.0.1", 19181), s.adminListen());
        assertEquals(URI.create("http://127.0.0.1:8081"), s.localCluster());
        assertEquals("127.0.0.1", s.localClusterHost());
        assertEquals(8081, s.localClusterPort());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.eventLoopThreads(), "0 means one per core");
        assertEquals(Duration.ofSeconds(5), s.connectTimeout());
        assertEquals(Duration.ofSeconds(120), s.responseHeaderTimeout());
        assertEquals(Duration.ofSeconds(60), s.idleTimeout());
        assertEquals(Duration.ofSeconds(30), s.poolIdleTimeout());
        assertEquals(Duration.ofSeconds(30), s.shutdownGrace());
        assertEquals(8192, s.maxInitialLine());
        assertEquals(32768, s.maxHeaderSize());
        assertEquals(64, s.maxIdlePerLoop());
    }

    @Test
    void overridesInTheFileWin() throws IOException {
        Settings s = Settings.load(write(BASE
                + "autosync.timeouts.idle = 90s\n"
                + "autosync.timeouts { connect = 750ms }\n"
                + "autosync.limits.max-header-size = 64KiB\n"
                + "autosync.event-loop-threads = 3\n"
                + "autosync.local-cluster = \"http://swift.internal\"\n"));
        assertEquals(Duration.ofSeconds(90), s.idleTimeout());
        assertEquals(Duration.ofMillis(750), s.connectTimeout());
        assertEquals(65536, s.maxHeaderSize());
        assertEquals(3, s.eventLoopThreads());
        assertEquals(80, s.localClusterPort(), "no port in the URL means 80");
        assertEquals(Duration.ofSeconds(120), s.responseHeaderTimeout(), "untouched keys keep their default");
    }

    @Test
    void ipv6ListenAddressInBrackets() throws IOException {
        Settings s = Settings.load(write(BASE + "autosync.listen = \"[::1]:9081\"\n"));
        assertEquals(new HostPort("::1", 9081), s.listen());
        assertEquals("[::1]:9081", s.listen().toString());
    }

    @Test
    void missingFileNamesThePath() {
        File missing = dir.resolve("nope/proxy.conf").toFile();
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.load(missing));
        assertTrue(e.getMessage().contains(missing.getPath()), e.getMessage());
    }

    @Test
    void syntaxErrorNamesThePath() throws IOException {
        File f = write("autosync { listen = \n");
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.load(f));
        assertTrue(e.getMessage().contains(f.getPath()), e.getMessage());
    }

    @Test
    void missingLocalClusterIsNamed() throws IOException {
        File f = write("autosync.listen = \"127.0.0.1:0\"\n");
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.load(f));
        assertNames(e, "autosync.local-cluster");
    }

    @Test
    void localClusterMustBeAnHttpOrHttpsUrl() throws IOException {
        Settings tls = Settings.load(write(BASE + "autosync.local-cluster = \"https://swift.example\"\n"));
        assertEquals(443, tls.localClusterPort(), "https without a port: 443");
        assertNames(rejected("autosync.local-cluster = \"ftp://swift:21\""), "autosync.local-cluster");
        assertNames(rejected("autosync.local-cluster = \"swift:8080\""), "autosync.local-cluster");
        assertNames(rejected("autosync.local-cluster = \"http://bad host\""), "autosync.local-cluster");
    }

    @Test
    void tlsFilesAreCheckedAtStartAndNamed() throws IOException {
        assertEquals(org.autosync.proxy.tls.TlsSettings.DEFAULTS, Settings.load(write(BASE)).tls());
        assertNames(rejected("autosync.tls.ca-file = \"/nonexistent/ca.pem\""), "autosync.tls.ca-file");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertNames(rejected("autosync.tls.ca-file = \"" + notPem + "\""), "autosync.tls.ca-file");
        assertNames(rejected("autosync.tls.cert-file = \"" + notPem + "\""), "autosync.tls.key-file");
        assertNames(rejected("autosync.tls.insecure = perhaps"), "autosync.tls.insecure");
    }

    @Test
    void listenThatIsNotHostPortIsNamed() throws IOException {
        assertNames(rejected("autosync.listen = \"nope\""), "autosync.listen");
        assertNames(rejected("autosync.listen = \"127.0.0.1:\""), "autosync.listen");
        assertNames(rejected("autosync.admin-listen = \":9181\""), "autosync.admin-listen");
        assertNames(rejected("autosync.listen = \"host:http\""), "autosync.listen");
    }

    @Test
    void listenPortOutOfRangeIsNamed() throws IOException {
        SettingsException e = rejected("autosync.listen = \"host:99999\"");
        assertNames(e, "autosync.listen");
        assertTrue(e.getMessage().contains("99999"), e.getMessage());
    }

    @Test
    void durationThatIsNotADurationIsNamed() throws IOException {
        assertNames(rejected("autosync.timeouts.idle = banana"), "autosync.timeouts.idle");
        assertNames(rejected("autosync.timeouts.shutdown-grace = soon"), "autosync.timeouts.shutdown-grace");
    }

    @Test
    void zeroAndNegativeTimeoutsAreRejected() throws IOException {
        for (String key : new String[] {"connect", "response-header", "idle", "pool-idle"}) {
            SettingsException zero = rejected("autosync.timeouts." + key + " = 0s");
            assertNames(zero, "autosync.timeouts." + key);
            assertTrue(zero.getMessage().contains("positive"), zero.getMessage());
            assertNames(rejected("autosync.timeouts." + key + " = -5s"), "autosync.timeouts." + key);
        }
    }

    @Test
    void valueOfTheWrongTypeIsNamed() throws IOException {
        assertNames(rejected("autosync.listen = [1]"), "autosync.listen");
        assertNames(rejected("autosync.event-loop-threads = many"), "autosync.event-loop-threads");
        assertNames(rejected("autosync.timeouts = 5s"), "autosync.timeouts");
    }

    @Test
    void limitsAndCountsOutOfRangeAreNamed() throws IOException {
        assertNames(rejected("autosync.limits.max-header-size = 10"), "autosync.limits.max-header-size");
        assertNames(rejected("autosync.limits.max-initial-line = 100B"), "autosync.limits.max-initial-line");
        assertNames(rejected("autosync.limits.max-initial-line = 4GiB"), "autosync.limits.max-initial-line");
        assertNames(rejected("autosync.event-loop-threads = -1"), "autosync.event-loop-threads");
        assertNames(rejected("autosync.upstream.max-idle-per-loop = -1"), "autosync.upstream.max-idle-per-loop");
    }

    @Test
    void builderDefaultsMatchReferenceConf() throws IOException {
        Settings fromFile = Settings.load(write(BASE));
        Settings built = Settings.builder().localCluster(URI.create("http://127.0.0.1:8081")).build();
        assertEquals(fromFile.connectTimeout(), built.connectTimeout());
        assertEquals(fromFile.responseHeaderTimeout(), built.responseHeaderTimeout());
        assertEquals(fromFile.idleTimeout(), built.idleTimeout());
        assertEquals(fromFile.poolIdleTimeout(), built.poolIdleTimeout());
        assertEquals(fromFile.shutdownGrace(), built.shutdownGrace());
        assertEquals(fromFile.maxInitialLine(), built.maxInitialLine());
        assertEquals(fromFile.maxHeaderSize(), built.maxHeaderSize());
        assertEquals(fromFile.maxIdlePerLoop(), built.maxIdlePerLoop());
        Settings copy = built.toBuilder().idleTimeout(Duration.ofSeconds(1)).build();
        assertEquals(Duration.ofSeconds(1), copy.idleTimeout());
        assertEquals(built.localCluster(), copy.localCluster());
    }

    @Test
    void hostPortRejectsBadValuesDirectly() {
        assertThrows(IllegalArgumentException.class, () -> new HostPort("", 1));
        assertThrows(IllegalArgumentException.class, () -> new HostPort("h", -1));
        assertThrows(IllegalArgumentException.class, () -> new HostPort("h", 65536));
        assertEquals(new HostPort("h", 0), HostPort.parse("h:0"));
    }
}
