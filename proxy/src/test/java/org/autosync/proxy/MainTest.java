package org.autosync.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, up to (never including) starting a proxy. */
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            return Main.run(args, out, err);
        }
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("usage: autosync --config FILE"), out());
        assertTrue(out().contains("--config"), out());
        assertEquals("", err());
    }

    @Test
    void shortHelpWinsEvenAfterOtherArguments() {
        assertEquals(0, run("--config", "/nonexistent.conf", "-h"));
        assertTrue(out().startsWith("usage:"), out());
    }

    @Test
    void noArgumentsIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err().contains("--config"), err());
        assertEquals("", out());
    }

    @Test
    void configWithoutAFileIsAUsageError() {
        assertEquals(2, run("--config"));
        assertTrue(err().contains("--config needs a file"), err());
    }

    @Test
    void unknownArgumentIsAUsageErrorNamingIt() {
        assertEquals(2, run("--frobnicate"));
        assertTrue(err().contains("'--frobnicate'"), err());
    }

    @Test
    void missingConfigFileIsAUsageErrorNamingThePath() {
        assertEquals(2, run("--config", "/nonexistent/autosync.conf"));
        assertTrue(err().contains("/nonexistent/autosync.conf"), err());
    }

    @Test
    void badValueNamesTheFileAndTheKey() throws IOException {
        Path conf = dir.resolve("proxy.conf");
        Files.writeString(conf, "autosync {\n  listen = \"127.0.0.1:0\"\n  admin-listen = \"127.0.0.1:0\"\n"
                + "  local-cluster = \"http://127.0.0.1:8081\"\n  timeouts.idle = banana\n}\n");
        assertEquals(2, run("-c", conf.toString()));
        assertTrue(err().contains(conf.toString()), err());
        assertTrue(err().contains("autosync.timeouts.idle"), err());
    }

    @Test
    void optionsOfOneCommandAreRefusedWithAnother() {
        assertEquals(2, run("--json", "--config", "x.conf"));
        assertTrue(err().contains("--json goes with status or reconcile"), err());
        assertEquals(2, run("status", "--dry-run", "--config", "x.conf"));
        assertTrue(err().contains("--dry-run goes with reconcile"), err());
        assertEquals(2, run("status", "--account", "AUTH_x", "--config", "x.conf"));
        assertTrue(err().contains("--account ACCOUNT goes with reconcile"), err());
        assertEquals(2, run("reconcile", "--account"));
        assertTrue(err().contains("--account needs an account name"), "not 'goes with': " + err());
        assertEquals(2, run("status", "--container"));
        assertTrue(err().contains("--container needs ACCOUNT/CONTAINER"), err());
        assertEquals(2, run("check", "--sync-wait"));
        assertTrue(err().contains("--sync-wait needs a number of seconds"), err());
        assertEquals(2, run("status", "--max-deletes", "3", "--config", "x.conf"));
        assertTrue(err().contains("--max-deletes N goes with reconcile"), err());
        assertEquals(2, run("reconcile", "--max-deletes"));
        assertTrue(err().contains("--max-deletes needs a number of containers"), err());
        assertEquals(2, run("reconcile", "--max-deletes", "-1", "--config", "x.conf"));
        assertTrue(err().contains("--max-deletes: a number of containers (0 or more), not '-1'"), err());
        assertEquals(2, run("reconcile", "--max-deletes", "ten", "--config", "x.conf"));
        assertTrue(err().contains("not 'ten'"), err());
        assertEquals(2, run("status"), "status needs --config too");
    }

    @Test
    void reconcileOfASingleSiteIsAClearUsageError() throws IOException {
        Path conf = dir.resolve("single.conf");
        Files.writeString(conf, "autosync {\n  local-cluster = \"http://127.0.0.1:8081\"\n}\n");
        assertEquals(2, run("reconcile", "--config", conf.toString(), "--dry-run"));
        assertTrue(err().contains("no autosync.sites in the configuration"), err());
    }

    @Test
    void helpNamesTheCommands() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("autosync status --config FILE [--json]"), out());
        assertTrue(out().contains("autosync reconcile --config FILE [--account ACCOUNT]... [--dry-run] [--json]"), out());
        assertTrue(out().contains("[--max-deletes N]"), out());
    }
}
