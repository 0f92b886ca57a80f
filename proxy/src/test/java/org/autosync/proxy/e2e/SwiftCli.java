package org.autosync.proxy.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the python-swiftclient CLI against the proxy:
 * {@code swift -A http://127.0.0.1:<port>/auth/v1.0 -U test:tester -K testing <args>}.
 */
final class SwiftCli {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** What one run printed. */
    record Result(List<String> command, int exit, String out, String err) {
        /** The {@code Key: value} lines of {@code swift stat}, keys trimmed. */
        Map<String, String> fields() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
            return m;
        }

        List<String> lines() {
            return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    private final String authUrl;

    SwiftCli(int proxyPort) {
        this.authUrl = "http://127.0.0.1:" + proxyPort + "/auth/v1.0";
    }

    /** Runs and asserts exit status 0. */
    Result ok(String... args) {
        return ok(DEFAULT_TIMEOUT, args);
    }

    Result ok(Duration timeout, String... args) {
        Result r = run(timeout, args);
        if (r.exit() != 0) {
            fail("swift CLI failed: " + r);
        }
        return r;
    }

    /** Runs with a timeout (the process is killed and the test fails when it is exceeded). */
    Result run(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("swift", "-A", authUrl, "-U", SwiftLab.USER, "-K", SwiftLab.KEY));
        cmd.addAll(List.of(args));
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("swift-cli", ".out");
            err = Files.createTempFile("swift-cli", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // Only the -A/-U/-K given here may decide where the CLI goes.
            pb.environment().keySet().removeIf(k -> k.startsWith("OS_") || k.startsWith("ST_"));
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail("swift CLI did not finish within " + timeout + ": " + String.join(" ", cmd)
                        + "\n--- stdout:\n" + Files.readString(out, StandardCharsets.UTF_8)
                        + "--- stderr:\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run the swift CLI (python3-swiftclient): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file; nothing to do
            }
        }
    }
}
