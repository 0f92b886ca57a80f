package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.cli.DriftCommand;
import org.autosync.proxy.config.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code autosync status --container} on the real lab: with both sites' sync paused, an object
 * written at a only and one written with other contents at each site are named as missing and
 * differing; once sync runs, the copies are in step.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class DriftE2ETest {
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static LabPair pair;
    private static AutosyncProxy proxyA;
    private static Settings settingsA;

    @BeforeAll
    static void startPair() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        pair = LabPair.start("drift-e2e-sync-key-secret-0123", "drift-e2e-peer-secret-01234567", "");
        proxyA = pair.a;
        settingsA = pair.siteA("");
    }

    @AfterAll
    static void stopPair() {
        pair.close();
    }

    @AfterEach
    void cleanup() {
        SWIFT_A.cleanup();
        SWIFT_B.cleanup();
    }

    private static String drift(String c, int wantExit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DriftCommand.run(settingsA, "AUTH_test/" + c, false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(wantExit, code, text);
        return text;
    }

    @Test
    void objectsMissingOrDifferingAtASiteAreNamedAndSyncBringsThemInStep() throws Exception {
        String c = FanOutSwiftSite.unique("drift");
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        assertEquals(201, FanOutSwiftSite.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyA.port()
                + containerPath(c))).header("X-Auth-Token", SWIFT_A.token()).PUT(HttpRequest.BodyPublishers.noBody()))
                .statusCode());
        try (LabDaemon syncA = LabDaemon.pause("a", "container-sync");
             LabDaemon syncB = LabDaemon.pause("b", "container-sync")) {
            assertEquals(201, SWIFT_A.put(objectPath(c, "only-at-a"), "aaa".getBytes(StandardCharsets.UTF_8)).statusCode());
            assertEquals(201, SWIFT_A.put(objectPath(c, "both"), "version a".getBytes(StandardCharsets.UTF_8)).statusCode());
            assertEquals(201, SWIFT_B.put(objectPath(c, "both"), "version b!".getBytes(StandardCharsets.UTF_8)).statusCode());
            String out = drift(c, 3);
            assertTrue(out.contains("a        2 objects, 12 bytes listed"), out);
            assertTrue(out.contains("b        1 objects, 10 bytes listed"), out);
            assertTrue(out.contains("1 objects missing somewhere, 1 differing"), out);
            assertTrue(out.contains("missing at b: only-at-a"), out);
            assertTrue(out.contains("differs: both"), out);
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (DriftCommand.run(settingsA, "AUTH_test/" + c, false, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) == 0) {
                return; // sync ran: the newer "both" won at both sites, only-at-a reached b
            }
            last = out.toString(StandardCharsets.UTF_8);
            Thread.sleep(2000);
        }
        throw new AssertionError("not in step within 60 s after sync resumed: " + last);
    }
}
