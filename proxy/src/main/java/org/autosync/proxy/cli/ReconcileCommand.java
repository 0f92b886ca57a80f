package org.autosync.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.federation.Federation;
import org.autosync.proxy.federation.reconcile.ReconcileReport;
import org.autosync.proxy.federation.reconcile.Reconciler;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;

/**
 * {@code autosync reconcile --config FILE [--account A]... [--dry-run] [--json] [--max-deletes N]}: a full reconcile
 * of the containers placed at this site, run in this process with the site's own settings (its
 * service user for the local cluster, signed calls to the peers' proxies). Exit 0 only when
 * nothing failed.
 */
public final class ReconcileCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReconcileCommand() {
    }

    /** {@code maxDeletes}: null takes {@code autosync.reconcile.max-deletes}. */
    public static int run(Settings settings, List<String> accounts, boolean dryRun, Integer maxDeletes, boolean json,
                          boolean tty, PrintStream out, PrintStream err) {
        if (settings.federation() == null) {
            err.println("autosync reconcile: no autosync.sites in the configuration: nothing to reconcile");
            return 2;
        }
        if (!settings.federation().repair().enabled()) {
            err.println("autosync reconcile: needs repair (autosync.repair.enabled) and its service-credentials");
            return 2;
        }
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(2, "autosync-reconcile");
        try (Federation federation = Federation.create(settings, new ProxyMetrics(), group, transport)) {
            Reconciler reconciler = federation.reconciler();
            adoptRunningRoutes(settings, federation, err);
            List<String> which = accounts.isEmpty() ? reconciler.knownAccounts() : accounts;
            if (which.isEmpty()) {
                err.println("autosync reconcile: no accounts: name some with --account, or in autosync.reconcile.accounts");
                return 2;
            }
            IntConsumer progress = !tty || json ? n -> { } : n -> {
                if (n % 100 == 0) {
                    err.print("\rreconciled " + n + " containers");
                }
            };
            int max = maxDeletes != null ? maxDeletes : settings.federation().reconcile().maxDeletes();
            ReconcileReport r = reconciler.run(new Reconciler.Options(which, dryRun, false, max, progress));
            if (tty && !json) {
                err.print("\r");
            }
            out.print(json ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.toMap(true)) + "\n"
                    : render(r, which));
            return r.failed() == 0 ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            err.println("autosync reconcile: " + e.getMessage());
            return 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The sync targets this run writes follow the running proxy's ring routes (a peer it routes
     * around stays so); without an answer from it, copies that exist keep the targets they have.
     */
    private static void adoptRunningRoutes(Settings settings, Federation federation, PrintStream err)
            throws InterruptedException {
        try {
            com.fasterxml.jackson.databind.JsonNode peers = StatusCommand.fetch(settings).path("ring").path("peers");
            java.util.Set<String> around = new java.util.TreeSet<>();
            peers.fields().forEachRemaining(e -> {
                if ("around".equals(e.getValue().path("route").asText())) {
                    around.add(e.getKey());
                }
            });
            federation.ringRoutes().adopt(around);
            if (!around.isEmpty()) {
                err.println("autosync reconcile: the running proxy routes around " + around + ": so does this run");
            }
        } catch (java.io.IOException e) {
            federation.ringRoutes().keepExistingTargets();
            err.println("autosync reconcile: the running proxy's ring routes are unknown (" + e.getMessage()
                    + "): copies that exist keep their sync targets");
        }
    }

    static String render(ReconcileReport r, List<String> accounts) {
        StringBuilder b = new StringBuilder();
        b.append(r.dryRun() ? "reconcile (dry run, nothing changed): " : "reconcile: ").append(r.processed())
                .append(" of ").append(r.total()).append(" containers in ").append(accounts.size())
                .append(accounts.size() == 1 ? " account" : " accounts").append(String.format(" (%.1f s, %d requests)%n",
                        r.took().toMillis() / 1000.0, r.requests()));
        b.append(String.format("sync: %s %d%s, unmodified %d, failed %d, conflicts %d%s%n",
                r.dryRun() ? "would update" : "updated", r.updated(),
                r.deleted() == 0 ? "" : " (" + (r.dryRun() ? "would delete " : "deleted ") + r.deleted() + ")",
                r.unmodified(), r.failed(), r.conflicts(), r.pending() == 0 ? "" : ", left to repair " + r.pending()));
        for (ReconcileReport.Detail d : r.details()) {
            b.append(String.format("  %-9s %s: %s%n", d.verdict().name().toLowerCase(java.util.Locale.ROOT), d.key(),
                    d.reason()));
        }
        if (r.detailsLeftOut() > 0) {
            b.append(String.format("  ... and %d more not listed (a run lists the first %d); run with --account to"
                    + " narrow it%n", r.detailsLeftOut(), r.details().size()));
        }
        return b.toString();
    }
}
