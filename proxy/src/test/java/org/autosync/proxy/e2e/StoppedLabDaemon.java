package org.autosync.proxy.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One daemon of the Swift lab stopped (SIGTERM to its process group: its port refuses
 * connections, as a site that is down does) until closed, when it is started again with the
 * command line and lab marker it ran with, its pid written back where the lab keeps it.
 */
final class StoppedLabDaemon implements AutoCloseable {
    private final Path pidFile;
    private final Path logFile;
    private final List<String> argv;
    private final String owner;

    private StoppedLabDaemon(Path pidFile, Path logFile, List<String> argv, String owner) {
        this.pidFile = pidFile;
        this.logFile = logFile;
        this.argv = argv;
        this.owner = owner;
    }

    /** Stops {@code daemon} (a pid file name under the lab's run folder, e.g. {@code proxy}) of {@code site}. */
    static StoppedLabDaemon stop(String site, String daemon) throws IOException, InterruptedException {
        String base = LabDaemon.base();
        Path pidFile = LabDaemon.pidFile(site, daemon);
        String pid = LabDaemon.pidOf(pidFile);
        List<String> argv = new ArrayList<>();
        for (String a : Files.readString(Path.of("/proc", pid, "cmdline"), StandardCharsets.UTF_8).split("\0")) {
            if (!a.isEmpty()) {
                argv.add(a);
            }
        }
        String owner = base;
        for (String e : Files.readString(Path.of("/proc", pid, "environ"), StandardCharsets.UTF_8).split("\0")) {
            if (e.startsWith("SWIFT_LAB_OWNER=")) {
                owner = e.substring("SWIFT_LAB_OWNER=".length());
            }
        }
        StoppedLabDaemon d = new StoppedLabDaemon(pidFile, Path.of(base, site, "log", daemon + ".log"), argv, owner);
        // lab.sh starts every daemon with setsid: its pid is its process group
        Process kill = new ProcessBuilder("kill", "-TERM", "--", "-" + pid).redirectErrorStream(true).start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -TERM -" + pid + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 100 && Files.exists(Path.of("/proc", pid)); i++) {
            Thread.sleep(100);
        }
        if (Files.exists(Path.of("/proc", pid))) {
            d.close(); // nothing was stopped after all: leave the lab as it was
            throw new AssertionError(site + " " + daemon + " (pid " + pid + ") still runs 10 s after SIGTERM");
        }
        return d;
    }

    @Override
    public void close() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("SWIFT_LAB_OWNER", owner);
        Process p = pb.start();
        Files.writeString(pidFile, p.pid() + "\n", StandardCharsets.US_ASCII);
    }
}
