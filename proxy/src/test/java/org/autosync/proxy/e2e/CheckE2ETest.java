package org.autosync.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.autosync.proxy.cli.CheckCommand;
import org.autosync.proxy.config.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code autosync check} on the real lab: all passes when the lab is right; a realm the sites'
 * Swift do not know is named; a realm key that differs at b (which no configuration file shows)
 * is caught by the sync probe.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class CheckE2ETest {
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static final Path REALMS_B = Path.of(System.getenv().getOrDefault("SWIFT_LAB_BASE", "/tmp/swift-lab"),
            "b/etc/container-sync-realms.conf");
    private static LabPair pair;
    private static String urlB;

    @BeforeAll
    static void startPair() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        pair = LabPair.start("check-e2e-sync-key-secret-0123", "check-e2e-peer-secret-01234567", "");
        urlB = pair.urlB;
    }

    @AfterAll
    static void stopPair() {
        pair.close();
    }

    @AfterEach
    void cleanup() {
        SWIFT_A.track("autosync-check");
        SWIFT_B.track("autosync-check");
        SWIFT_A.cleanup();
        SWIFT_B.cleanup();
    }

    /** Settings of site a as the command would load them (another listen port: the proxy runs). */
    private static Settings siteA(String extra) {
        return pair.siteA(extra);
    }

    private static String run(Settings s, int wantExit, Duration wait) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CheckCommand.run(s, "AUTH_test", wait, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(wantExit, code, text);
        return text;
    }

    @Test
    void aRightLabPassesEveryCheckIncludingTheSyncProbe() {
        String out = run(siteA(""), 0, Duration.ofSeconds(60));
        assertTrue(out.contains("ok    site b (its Autosync proxy at " + urlB + "): sync realm: realm LAB with "
                + "clusters A, B"), out);
        assertTrue(out.contains("ok    sync probe AUTH_test/autosync-check: an object written at a reached b in"), out);
        assertTrue(out.contains("check: all 5 passed"), out);
    }

    @Test
    void aRealmTheSitesDoNotKnowIsNamedWithWhatToFix() {
        String out = run(siteA("autosync.sync-realm = prod"), 3, Duration.ofSeconds(5));
        assertTrue(out.contains("FAIL  site a (this site's Swift at http://127.0.0.1:8081): sync realm: realm PROD "
                + "unknown (container-sync-realms.conf has LAB)"), out);
        assertTrue(out.contains("fix: autosync.sync-realm"), out);
    }

    @Test
    void aRealmKeyThatDiffersAtBIsCaughtByTheSyncProbe() throws Exception {
        String good = Files.readString(REALMS_B);
        try {
            Files.writeString(REALMS_B, good.replace("key = labrealmkey", "key = not-the-same-key"));
            Thread.sleep(6000); // the lab's Swift looks at the file every 5 s
            String out = run(siteA(""), 3, Duration.ofSeconds(20));
            assertTrue(out.contains("FAIL  sync probe AUTH_test/autosync-check: an object written at a did not reach "
                    + "b within 20 s"), out);
            assertTrue(out.contains("the same key for realm LAB in container-sync-realms.conf at both sites"), out);
            assertTrue(out.contains("ok    site b (its Autosync proxy at " + urlB + "): sync realm"), "names look right: "
                    + out);
        } finally {
            Files.writeString(REALMS_B, good);
            Thread.sleep(6000);
        }
    }
}
