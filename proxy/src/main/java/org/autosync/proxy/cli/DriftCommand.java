package org.autosync.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.federation.Federation;
import org.autosync.proxy.internal.Transport;
import org.autosync.proxy.metrics.ProxyMetrics;

/**
 * {@code autosync status --config FILE --container ACCOUNT/CONTAINER [--json]}: one container
 * at every site of its placement, compared object by object, run in this process with the
 * site's service user and signed listings from the peers. Exit 0 when every copy lists the
 * same objects, 3 when not.
 */
public final class DriftCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DriftCommand() {
    }

    public static int run(Settings settings, String key, boolean json, PrintStream out, PrintStream err) {
        int slash = key.indexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            err.println("autosync status: --container wants ACCOUNT/CONTAINER, not '" + key + "'");
            return 2;
        }
        if (settings.federation() == null || settings.federation().serviceIdentity() == null) {
            err.println("autosync status --container: needs autosync.sites and service-credentials");
            return 2;
        }
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(2, "autosync-drift");
        try (Federation federation = Federation.create(settings, new ProxyMetrics(), group, transport)) {
            Map<String, Object> report = federation.containerDrift()
                    .run(key.substring(0, slash), key.substring(slash + 1));
            JsonNode tree = JSON.valueToTree(report);
            out.print(json ? tree.toPrettyString() + "\n" : render(tree));
            return tree.path("in_step").asBoolean() ? 0 : StatusCommand.ATTENTION;
        } catch (RuntimeException e) {
            err.println("autosync status --container: " + e.getMessage());
            return 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    static String render(JsonNode r) {
        StringBuilder b = new StringBuilder();
        b.append("container ").append(r.path("container").asText()).append(", placed at ")
                .append(r.path("placement").toString()).append('\n');
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("sites").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            if (s.path("status").asInt() / 100 != 2) {
                b.append(String.format("  %-8s HEAD answered %d%n", e.getKey(), s.path("status").asInt()));
                continue;
            }
            b.append(String.format("  %-8s %d objects, %d bytes listed (Swift says %s objects, %s bytes)%s%n",
                    e.getKey(), s.path("listed_objects").asLong(), s.path("listed_bytes").asLong(),
                    s.path("swift_object_count").asText("?"), s.path("swift_bytes_used").asText("?"),
                    s.has("listing_error") ? "; listing: " + s.path("listing_error").asText() : ""));
        }
        if (r.path("in_step").asBoolean()) {
            b.append("in step: every copy lists the same objects, with the same hashes\n");
            return b.toString();
        }
        b.append(r.path("missing_count").asInt()).append(" objects missing somewhere, ")
                .append(r.path("differing_count").asInt()).append(" differing\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("missing").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.append("  missing at ").append(String.join(", ", JSON.convertValue(e.getValue(), String[].class)))
                    .append(": ").append(e.getKey()).append('\n');
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("differing").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.append("  differs: ").append(e.getKey()).append(' ').append(e.getValue().toString()).append('\n');
        }
        if (!r.path("truncated_at").isNull()) {
            b.append("  (a copy has more than ").append(r.path("truncated_at").asInt())
                    .append(" objects: compared the names up to '").append(r.path("compared_up_to").asText())
                    .append("' only)\n");
        }
        return b.toString();
    }
}
