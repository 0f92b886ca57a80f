package org.autosync.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.autosync.proxy.config.HostPort;
import org.autosync.proxy.config.Settings;

/**
 * {@code autosync status --config FILE [--json]}: asks the running proxy's admin port for
 * {@code /status} and prints it for a person (or as it came, with --json).
 *
 * <p>Exit codes: 0 all well; 1 the proxy did not answer; 3 something needs an operator (a site
 * unreachable, a repair or reconcile conflict, a repair for a site waiting longer than
 * repair.stale-after, or this site behind one: nothing from it arrived by sync for that long).
 */
public final class StatusCommand {
    public static final int ATTENTION = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusCommand() {
    }

    /** The running proxy's {@code /status} on its admin port. */
    static JsonNode fetch(Settings settings) throws IOException, InterruptedException {
        HostPort admin = settings.adminListen();
        String host = admin.host().equals("0.0.0.0") || admin.host().equals("::") ? "127.0.0.1" : admin.host();
        URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + admin.port()
                + "/status");
        HttpResponse<byte[]> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // a refused connection says nothing of its own (its message is null): name the class then
            throw new IOException("no answer from the proxy's admin port at " + uri + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()
                            + (e instanceof java.net.ConnectException ? " (is the proxy running?)" : "")), e);
        }
        if (r.statusCode() != 200) {
            throw new IOException(uri + " answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    public static int run(Settings settings, boolean json, PrintStream out, PrintStream err) {
        JsonNode status;
        try {
            status = fetch(settings);
        } catch (IOException e) {
            err.println("autosync status: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        out.print(json ? status.toPrettyString() + "\n" : render(status));
        return needsAttention(status) ? ATTENTION : 0;
    }

    /** The status for a person: one line per site, the repair backlog, conflicts. */
    static String render(JsonNode s) {
        StringBuilder b = new StringBuilder();
        b.append("site ").append(s.path("site").asText("-")).append('\n');
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("sites").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode site = e.getValue();
            JsonNode route = s.path("ring").path("peers").path(e.getKey());
            JsonNode lag = s.path("sync_lag_seconds").path(e.getKey() + "->" + s.path("site").asText());
            b.append(String.format("  %-12s %s%s%s%s%n", e.getKey(), site.path("reachable").asBoolean()
                    ? "reachable" : "UNREACHABLE (" + site.path("problem").asText() + ")",
                    site.has("health") ? ", health " + site.path("health").asText() : "",
                    "around".equals(route.path("route").asText())
                            ? ", ROUTED AROUND (down since " + route.path("down_since").asText() + ")" : "",
                    site.path("behind").asBoolean() ? ", BEHIND IT: nothing from " + e.getKey()
                            + " arrived here by sync for " + (lag.isNumber() ? age(lag.asLong()) : "a long time")
                            + ", more than repair.stale-after; see README, Re-seeding a site" : ""));
        }
        JsonNode check = s.path("startup_check");
        if (check.isObject() && check.path("failed").size() > 0) {
            b.append("check at start-up: ").append(check.path("failed").size()).append(" failed\n");
            for (JsonNode f : check.path("failed")) {
                b.append("  ").append(f.path("what").asText()).append(": ").append(f.path("detail").asText())
                        .append('\n');
            }
        }
        JsonNode lag = s.path("sync_lag_seconds");
        if (lag.isObject()) {
            b.append("sync lag (age of the newest canary seen here):");
            if (lag.isEmpty()) {
                b.append(" no canary from another site yet");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = lag.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                b.append(String.format(java.util.Locale.ROOT, " %s %.1f s", e.getKey(), e.getValue().asDouble()));
            }
            b.append('\n');
        }
        renderReconcile(s.path("reconcile"), b);
        JsonNode r = s.path("repair");
        if (!r.path("enabled").asBoolean()) {
            b.append("repair: off\n");
            return b.toString();
        }
        b.append(String.format("repair: %d pending%s%n", r.path("pending").asInt(),
                r.path("pending").asInt() == 0 ? "" : ", oldest " + age(r.path("oldest_age_seconds").asLong())));
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("sites").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode site = e.getValue();
            b.append(String.format("  for %-8s %d pending, oldest %s%s%n", e.getKey(), site.path("pending").asInt(),
                    age(site.path("oldest_age_seconds").asLong()), site.path("stale").asBoolean()
                            ? "  STALE: older than repair.stale-after; see README, Re-seeding a site" : ""));
        }
        if (r.path("draining_deletes").asInt() > 0) {
            b.append(String.format("  %d draining container delete(s): kept at every site until all copies read empty%n",
                    r.path("draining_deletes").asInt()));
        }
        if (r.path("last_pass").isNull() || r.path("last_pass").isMissingNode()) {
            b.append("  no pass yet\n");
        } else {
            b.append("  last pass ").append(r.path("last_pass").asText()).append(" (")
                    .append(r.path("last_pass_ms").asLong()).append(" ms)");
            for (Iterator<Map.Entry<String, JsonNode>> it = r.path("last_pass_outcomes").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                b.append(' ').append(e.getKey()).append('=').append(e.getValue().asInt());
            }
            b.append('\n');
        }
        if (!r.path("last_error").isNull() && !r.path("last_error").isMissingNode()) {
            b.append("  last error: ").append(r.path("last_error").asText()).append('\n');
        }
        JsonNode conflicts = r.path("conflicts");
        b.append("conflicts: ").append(conflicts.size()).append('\n');
        for (JsonNode c : conflicts) {
            b.append("  ").append(c.path("key").asText()).append(" at ").append(c.path("site").asText())
                    .append(": ").append(c.path("reason").asText()).append('\n');
        }
        return b.toString();
    }

    /** The periodic reconcile: its interval, and how its last run went. */
    private static void renderReconcile(JsonNode rec, StringBuilder b) {
        if (!rec.isObject()) {
            return; // a proxy without federation
        }
        long every = rec.path("interval_seconds").asLong();
        String runs = rec.path("runs").asText("here");
        b.append("reconcile: ").append(switch (runs) {
            case "off" -> "off (repair is off)";
            case "first-replica" -> "every " + age(every) + " by the site's first replica (repair.worker-index 0),"
                    + " not this one";
            default -> every == 0 || runs.equals("by-command") ? "not run by the proxy (reconcile.interval = 0)"
                    : "every " + age(every);
        });
        JsonNode last = rec.path("last");
        if (last.isObject()) {
            JsonNode sync = last.path("sync");
            b.append(String.format(java.util.Locale.ROOT,
                    "%n  last run %s (%.0f s): %d containers, updated %d (deleted %d), unmodified %d, failed %d,"
                            + " conflicts %d", last.path("started").asText(), last.path("seconds").asDouble(),
                    last.path("containers").path("processed").asInt(), sync.path("updated").asInt(),
                    last.path("containers").path("deleted").asInt(), sync.path("unmodified").asInt(),
                    sync.path("failed").asInt(), sync.path("conflicts").asInt()));
            if (sync.path("conflicts").asInt() > 0) {
                b.append("\n  its conflicts are listed by: autosync reconcile --config FILE --dry-run");
            }
        } else if (runs.equals("here") && every != 0) {
            b.append(", no run yet");
        }
        if (rec.path("last_error").isTextual()) {
            b.append("\n  last error: ").append(rec.path("last_error").asText());
        }
        b.append('\n');
    }

    static boolean needsAttention(JsonNode s) {
        for (JsonNode site : s.path("sites")) {
            if (!site.path("reachable").asBoolean() || site.path("behind").asBoolean()) {
                return true;
            }
        }
        if (s.path("reconcile").path("last").path("sync").path("conflicts").asInt() > 0) {
            return true;
        }
        JsonNode r = s.path("repair");
        for (JsonNode site : r.path("sites")) {
            if (site.path("stale").asBoolean()) {
                return true;
            }
        }
        return r.path("conflicts").size() > 0;
    }

    private static String age(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        if (seconds < 172800) {
            return seconds / 3600 + " h";
        }
        return seconds / 86400 + " d";
    }
}
