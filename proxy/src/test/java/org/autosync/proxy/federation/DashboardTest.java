package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.RepairSettings;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code ops/}: the dashboard has what
 * Grafana's import needs, and every metric a panel or a rule queries is one a proxy with sites
 * and repair on exports (after one fan-out, so the per-outcome series exist).
 */
class DashboardTest {
    private static final Path OPS = Path.of(System.getProperty("user.dir")).getParent().resolve("ops");
    private static final Pattern METRIC = Pattern.compile("\\b(autosync_[a-z_]+)");
    private static StubSite local;
    private static StubSite b;
    private static AutosyncProxy proxy;
    private static Set<String> exported;

    @BeforeAll
    static void scrape() throws Exception {
        local = new StubSite();
        b = new StubSite();
        local.answer("GET", r -> r.getPath().startsWith("/auth/")
                ? new MockResponse().setResponseCode(200).addHeader("X-Auth-Token", "AUTH_tk_service")
                        .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin")
                : new MockResponse().setResponseCode(204));
        FederationFixture f = FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", b.url())
                .authUrl(URI.create(local.url() + "/auth/v1.0"));
        RepairSettings repair = RepairSettings.off().withEnabled(true).withInterval(Duration.ofHours(1))
                .withMaxBackoff(Duration.ofHours(1));
        proxy = TestProxy.start(local.server.getPort(), s -> s.federation(f.build().withRepair(repair)
                .withCanaryInterval(Duration.ofHours(1))));
        // one canary delay observed, so that its histogram has a series
        proxy.metrics().syncDelay("b", "a", 1.5);
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/AUTH_test/c"))
                .header("X-Auth-Token", "tk").PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/AUTH_test/c/o"))
                .GET().build(), HttpResponse.BodyHandlers.discarding());
        // a forged peer request: the rejection counter has no series before its first reason
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/AUTH_test/c"))
                .header("X-Autosync-Peer-Site", "b").PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        exported = new HashSet<>();
        for (String line : proxy.metrics().scrape().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String name = line.split(" ")[2];
                exported.add(name);
                for (String suffix : List.of("_bucket", "_sum", "_count", "_max")) {
                    exported.add(name + suffix);
                }
            } else if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.replaceAll("[{ ].*", ""));
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        local.close();
        b.close();
    }

    private static Set<String> metricsIn(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void theDashboardImportsAndEveryPanelQueriesExportedMetrics() throws Exception {
        JsonNode d = new ObjectMapper().readTree(Files.readString(OPS.resolve("grafana/autosync-dashboard.json")));
        assertEquals("autosync-overview", d.path("uid").asText());
        assertFalse(d.path("title").asText().isEmpty());
        assertTrue(d.path("schemaVersion").asInt() >= 36, "a schema Grafana 9+ imports");
        assertEquals("DS_PROMETHEUS", d.path("__inputs").get(0).path("name").asText(), "import asks for the datasource");
        List<String> missing = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        assertTrue(d.path("panels").size() >= 10);
        for (JsonNode p : d.path("panels")) {
            String title = p.path("title").asText();
            assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique: " + title);
            assertEquals("timeseries", p.path("type").asText(), title);
            for (String k : List.of("h", "w", "x", "y")) {
                assertTrue(p.path("gridPos").has(k), title + " gridPos." + k);
            }
            assertTrue(p.path("targets").size() > 0, title + " has a query");
            for (JsonNode t : p.path("targets")) {
                Set<String> names = metricsIn(t.path("expr").asText());
                assertFalse(names.isEmpty(), title + ": " + t.path("expr").asText());
                names.stream().filter(n -> !exported.contains(n)).forEach(n -> missing.add(title + ": " + n));
            }
        }
        assertEquals(List.of(), missing, "metrics no proxy exports; exported: " + new TreeSet<>(exported));
    }

    @Test
    void everyAlertRuleQueriesExportedMetrics() throws Exception {
        List<String> exprs = new ArrayList<>();
        List<String> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(OPS.resolve("prometheus/autosync-alerts.yml"))) {
            String t = line.trim();
            if (t.startsWith("expr:")) {
                exprs.add(t.substring(5).trim());
            } else if (t.startsWith("- alert:")) {
                alerts.add(t.substring(8).trim());
            }
        }
        assertEquals(alerts.size(), exprs.size(), "one expression per alert");
        assertTrue(alerts.containsAll(List.of("AutosyncPeerSiteDown", "AutosyncRepairsPilingUp",
                "AutosyncRepairConflicts")), alerts.toString());
        List<String> missing = new ArrayList<>();
        for (String e : exprs) {
            Set<String> names = metricsIn(e);
            assertFalse(names.isEmpty(), e);
            names.stream().filter(n -> !exported.contains(n)).forEach(n -> missing.add(e + ": " + n));
        }
        assertEquals(List.of(), missing);
    }
}
