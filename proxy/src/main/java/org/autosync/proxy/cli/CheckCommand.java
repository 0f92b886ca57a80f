package org.autosync.proxy.cli;

import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.federation.Federation;
import org.autosync.proxy.federation.check.Finding;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;

/**
 * {@code autosync check --config FILE [--account A] [--sync-wait 60s]}: the topology in the
 * configuration against the sites as they are, one line per thing looked at. Exit 0 when all is
 * right, 3 when something is not (each such line says what to fix).
 */
public final class CheckCommand {
    private CheckCommand() {
    }

    public static int run(Settings settings, String account, Duration syncWait, PrintStream out, PrintStream err) {
        if (settings.federation() == null) {
            err.println("autosync check: no autosync.sites in the configuration: nothing to check");
            return 2;
        }
        String probe = account != null ? account
                : settings.federation().reconcileAccounts().isEmpty() ? null
                : settings.federation().reconcileAccounts().get(0);
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(2, "autosync-check");
        try (Federation federation = Federation.create(settings, new ProxyMetrics(), group, transport)) {
            List<Finding> findings = federation.topologyCheck().run(probe, syncWait);
            out.print(render(findings));
            if (probe == null) {
                out.println("(no sync probe: name an account with --account, or in autosync.reconcile.accounts)");
            }
            return findings.stream().allMatch(Finding::ok) ? 0 : 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("autosync check: " + e.getMessage());
            return 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    static String render(List<Finding> findings) {
        StringBuilder b = new StringBuilder();
        for (Finding f : findings) {
            b.append(f.ok() ? "ok    " : "FAIL  ").append(f.what()).append(": ").append(f.detail()).append('\n');
            if (!f.ok()) {
                b.append("      fix: ").append(f.fix()).append('\n');
            }
        }
        long failed = findings.stream().filter(f -> !f.ok()).count();
        b.append(failed == 0 ? "check: all " + findings.size() + " passed\n"
                : "check: " + failed + " of " + findings.size() + " failed\n");
        return b.toString();
    }
}
