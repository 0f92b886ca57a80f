package org.autosync.proxy;

import java.io.File;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.autosync.proxy.cli.CheckCommand;
import org.autosync.proxy.cli.DriftCommand;
import org.autosync.proxy.cli.ReconcileCommand;
import org.autosync.proxy.cli.StatusCommand;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.config.SettingsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command line: {@code autosync --config FILE}. Runs in the foreground until SIGTERM. */
public final class Main {
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Returns an exit code, or -1 once the proxy ran and was stopped by a signal. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String config = null;
        String command = args.length > 0 && COMMANDS.contains(args[0]) ? args[0] : "run";
        boolean json = false;
        boolean dryRun = false;
        java.util.List<String> accounts = new java.util.ArrayList<>();
        java.time.Duration syncWait = java.time.Duration.ofSeconds(60);
        String container = null;
        Integer maxDeletes = null;
        for (int i = command.equals("run") ? 0 : 1; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    usage(out);
                    return 0;
                }
                case "--json" -> {
                    if (command.equals("run")) {
                        err.println("autosync: --json goes with status or reconcile (try --help)");
                        return EXIT_USAGE;
                    }
                    json = true;
                }
                case "--dry-run" -> {
                    if (!command.equals("reconcile")) {
                        err.println("autosync: --dry-run goes with reconcile (try --help)");
                        return EXIT_USAGE;
                    }
                    dryRun = true;
                }
                case "--account" -> {
                    if (!(command.equals("reconcile") || command.equals("check"))) {
                        err.println("autosync: --account ACCOUNT goes with reconcile or check (try --help)");
                        return EXIT_USAGE;
                    }
                    if (i + 1 >= args.length) {
                        err.println("autosync: --account needs an account name, e.g. --account AUTH_test");
                        return EXIT_USAGE;
                    }
                    accounts.add(args[++i]);
                }
                case "--max-deletes" -> {
                    if (!command.equals("reconcile")) {
                        err.println("autosync: --max-deletes N goes with reconcile (try --help)");
                        return EXIT_USAGE;
                    }
                    if (i + 1 >= args.length) {
                        err.println("autosync: --max-deletes needs a number of containers, e.g. --max-deletes 10");
                        return EXIT_USAGE;
                    }
                    try {
                        maxDeletes = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        maxDeletes = -1;
                    }
                    if (maxDeletes < 0) {
                        err.println("autosync: --max-deletes: a number of containers (0 or more), not '" + args[i] + "'");
                        return EXIT_USAGE;
                    }
                }
                case "--container" -> {
                    if (!command.equals("status")) {
                        err.println("autosync: --container ACCOUNT/CONTAINER goes with status (try --help)");
                        return EXIT_USAGE;
                    }
                    if (i + 1 >= args.length) {
                        err.println("autosync: --container needs ACCOUNT/CONTAINER, e.g. --container AUTH_test/photos");
                        return EXIT_USAGE;
                    }
                    container = args[++i];
                }
                case "--sync-wait" -> {
                    if (!command.equals("check")) {
                        err.println("autosync: --sync-wait SECONDS goes with check (try --help)");
                        return EXIT_USAGE;
                    }
                    if (i + 1 >= args.length) {
                        err.println("autosync: --sync-wait needs a number of seconds");
                        return EXIT_USAGE;
                    }
                    try {
                        syncWait = java.time.Duration.ofSeconds(Long.parseLong(args[++i].replaceAll("s$", "")));
                    } catch (NumberFormatException e) {
                        err.println("autosync: --sync-wait: seconds, not '" + args[i] + "'");
                        return EXIT_USAGE;
                    }
                }
                case "-c", "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("autosync: --config needs a file");
                        return EXIT_USAGE;
                    }
                    config = args[++i];
                }
                default -> {
                    err.println("autosync: unknown argument '" + args[i] + "' (try --help)");
                    return EXIT_USAGE;
                }
            }
        }
        if (config == null) {
            err.println("autosync: --config FILE is required (try --help)");
            return EXIT_USAGE;
        }
        Settings settings;
        try {
            settings = Settings.load(new File(config));
        } catch (SettingsException e) {
            err.println("autosync: " + config + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        if (command.equals("status")) {
            return container != null ? DriftCommand.run(settings, container, json, out, err)
                    : StatusCommand.run(settings, json, out, err);
        }
        if (command.equals("check")) {
            if (accounts.size() > 1) {
                err.println("autosync: check probes one account (try --help)");
                return EXIT_USAGE;
            }
            return CheckCommand.run(settings, accounts.isEmpty() ? null : accounts.get(0), syncWait, out, err);
        }
        if (command.equals("reconcile")) {
            return ReconcileCommand.run(settings, accounts, dryRun, maxDeletes, json, System.console() != null, out,
                    err);
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        AutosyncProxy proxy;
        try {
            proxy = AutosyncProxy.start(settings);
        } catch (Exception e) {
            err.println("autosync: cannot start: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping: no new connections; in-flight requests get {}", settings.shutdownGrace());
            proxy.shutdown(settings.shutdownGrace());
            stopped.countDown();
        }, "autosync-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    private static final java.util.Set<String> COMMANDS = java.util.Set.of("status", "reconcile", "check");

    private static void usage(PrintStream out) {
        out.println("usage: autosync --config FILE");
        out.println("       autosync status --config FILE [--json]");
        out.println("       autosync status --config FILE --container ACCOUNT/CONTAINER [--json]");
        out.println("       autosync reconcile --config FILE [--account ACCOUNT]... [--dry-run] [--json]");
        out.println("                          [--max-deletes N]");
        out.println("       autosync check --config FILE [--account ACCOUNT] [--sync-wait SECONDS]");
        out.println();
        out.println("Runs the Autosync proxy in the foreground with the HOCON settings in FILE");
        out.println("(defaults: reference.conf; see README, 'Configuration'). SIGTERM stops it");
        out.println("gracefully: no new connections, in-flight requests get autosync.timeouts.shutdown-grace.");
        out.println();
        out.println("  -c, --config FILE   settings file (required)");
        out.println("  -h, --help          this text");
        out.println();
        out.println("status asks the running proxy (its admin-listen port) for each site's reachability,");
        out.println("the repair records pending, the oldest one's age, the last repair pass and conflicts.");
        out.println("Exit 0: all well; 1: no answer; 3: a site unreachable, a conflict or a stale site.");
        out.println("With --container it compares that container at every site of its placement, object by");
        out.println("object (counts, bytes, names missing where, hashes that differ); exit 3 when they differ.");
        out.println();
        out.println("reconcile compares every container placed at this site across its placement's sites");
        out.println("(listings and HEADs), creates missing copies, rewrites wrong sync headers, settles");
        out.println("metadata by Autosync's change records (else reports a conflict), and deletes the empty");
        out.println("copies left over from a delete Autosync recorded. Accounts: --account, else");
        out.println("autosync.reconcile.accounts and every account Autosync has served. --dry-run changes");
        out.println("nothing and says what it would do. A run that would delete more than --max-deletes");
        out.println("containers (default autosync.reconcile.max-deletes, 100) deletes none of them.");
        out.println("Exit 0 only when nothing failed.");
        out.println();
        out.println("check looks at every site: its proxy and Swift answer, its Swift's /info knows the sync");
        out.println("realm and every site's cluster; then, in ACCOUNT (else the first autosync.reconcile.accounts),");
        out.println("an object written into a synced probe container here must reach the next site within");
        out.println("--sync-wait (60 s). Each failure says what to fix. Exit 0: all passed; 3: something failed.");
        out.println();
        out.println("Exit codes: 0 help, 1 start-up failure (e.g. port in use), 2 bad usage or config.");
    }
}
