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
        String base = System.getenv().getOrDefault("SWIFT_LAB_BASE", "/tmp/swift-lab");
        Path pidFile = Path.of(base, site, "run", daemon + ".pid");
        if (!Files.isReadable(pidFile)) {
            throw new AssertionError("no pid file " + pidFile + " (is the lab up, run by this user?)");
        }
        String pid = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
        LabDaemon d = new LabDaemon(pid);
        d.signal("-STOP");
        return d;
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
