package org.autosync.proxy.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One daemon of the Swift lab paused with SIGSTOP (its whole process group) until closed, when
 * SIGCONT lets it go on where it was: stops container-sync without restarting anything.
 */
final class LabDaemon implements AutoCloseable {
    private final String group;

    private LabDaemon(String group) {
        this.group = group;
    }

    /** Pauses {@code daemon} (a pid file name under the lab's run folder) of {@code site}. */
    static LabDaemon pause(String site, String daemon) throws IOException, InterruptedException {
        LabDaemon d = new LabDaemon(pidOf(pidFile(site, daemon)));
        d.signal("-STOP");
        return d;
    }

    /** The lab's base folder ({@code SWIFT_LAB_BASE}, default /tmp/swift-lab). */
    static String base() {
        return System.getenv().getOrDefault("SWIFT_LAB_BASE", "/tmp/swift-lab");
    }

    /** Where the lab keeps {@code daemon}'s pid (e.g. {@code proxy}) of {@code site}. */
    static Path pidFile(String site, String daemon) {
        return Path.of(base(), site, "run", daemon + ".pid");
    }

    /** The pid in {@code pidFile}; fails clearly when the lab is not up. */
    static String pidOf(Path pidFile) throws IOException {
        if (!Files.isReadable(pidFile)) {
            throw new AssertionError("no pid file " + pidFile + " (is the lab up, run by this user?)");
        }
        return Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
    }

    private void signal(String sig) throws IOException, InterruptedException {
        // lab.sh starts every daemon with setsid: its pid is its process group
        Process p = new ProcessBuilder("kill", sig, "--", "-" + group).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("kill " + sig + " -" + group + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            signal("-CONT");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resuming the daemon", e);
        }
    }
}
