package org.autosync.proxy.federation.check;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.SiteCalls;
import org.autosync.proxy.route.SwiftPath;

/**
 * {@code autosync check}: whether the topology in the configuration works. For every site: its
 * cluster (this site's) or its Autosync proxy and cluster (a peer's) answer their healthcheck;
 * its Swift's {@code /info} knows the sync realm and every site's realm cluster. Then, with an
 * account to probe in, an object written into a synced probe container at this site must show
 * up at the next site of the ring within a bound: what no configuration file shows (a realm key
 * that differs, a stopped sync daemon) shows there.
 */
public final class TopologyCheck {
    /** The probe container, in the account the operator names; kept between runs. */
    public static final String PROBE_CONTAINER = "autosync-check";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL = Duration.ofSeconds(5);

    private final FederationSettings fed;
    private final URI localCluster;
    private final ClusterClient http;
    private final SiteCalls sites; // null: no service identity here, no probe

    public TopologyCheck(FederationSettings fed, URI localCluster, ClusterClient http, SiteCalls sites) {
        this.fed = requireNonNull(fed, "fed");
        this.localCluster = requireNonNull(localCluster, "localCluster");
        this.http = requireNonNull(http, "http");
        this.sites = sites;
    }

    /** Every finding, in order; {@code probeAccount} null: no sync probe. */
    public List<Finding> run(String probeAccount, Duration syncWait) throws InterruptedException {
        List<Finding> out = new ArrayList<>();
        String here = fed.site().name();
        // by name: the same order on every run, whatever order the configuration gave
        List<Site> all = fed.sites().all().stream().sorted(java.util.Comparator.comparing(Site::name)).toList();
        List<String> clusters = all.stream().map(Site::realmCluster).toList();
        for (Site s : all) {
            boolean local = s.name().equals(here);
            URI base = local ? localCluster : s.url();
            String who = local ? "site " + s.name() + " (this site's Swift at " + localCluster + ")"
                    : "site " + s.name() + " (its Autosync proxy at " + s.url() + ")";
            Answer health = get(base, "/healthcheck");
            if (health.status() != 200) {
                out.add(Finding.failed(who + ": reachable", "healthcheck: " + health.problem(), local ? "autosync.local-cluster, and that Swift proxy-server running"
                        : "autosync.sites." + s.name() + ".url, and the proxy and Swift of that site running"));
                continue;
            }
            out.add(Finding.ok(who + ": reachable", "healthcheck 200"));
            Answer info = get(base, "/info");
            if (info.status() != 200) {
                out.add(Finding.failed(who + ": /info", info.problem(),
                        "Swift's /info must be reachable (expose_info = true in proxy-server.conf)"));
                continue;
            }
            JsonNode json;
            try {
                json = JSON.readTree(info.response().body());
            } catch (java.io.IOException e) {
                out.add(Finding.failed(who + ": /info", "not JSON", "Swift's /info"));
                continue;
            }
            List<String> missing = RealmCheck.missing(json, fed.topology().realm(), clusters);
            out.add(missing.isEmpty()
                    ? Finding.ok(who + ": sync realm", "realm " + fed.topology().realm().toUpperCase(java.util.Locale.ROOT)
                            + " with clusters " + String.join(", ", clusters).toUpperCase(java.util.Locale.ROOT))
                    : Finding.failed(who + ": sync realm", String.join("; ", missing), "autosync.sync-realm and "
                            + "autosync.sites.*.realm-cluster, or /etc/swift/container-sync-realms.conf at site "
                            + s.name() + " (every site's realm and cluster names, and the same realm key)"));
        }
        if (probeAccount != null) {
            try {
                out.add(probe(probeAccount, syncWait));
            } catch (RuntimeException e) {
                out.add(Finding.failed("sync probe " + probeAccount + "/" + PROBE_CONTAINER,
                        String.valueOf(ClusterClient.cause(e).getMessage()), "the findings above, and this site's logs"));
            }
        }
        return out;
    }

    /** An answer, or why there was none. */
    private record Answer(ClusterResponse response, String error) {
        int status() {
            return response == null ? 0 : response.status();
        }

        String problem() {
            return response == null ? error : "answered " + response.status();
        }
    }

    private Answer get(URI base, String path) {
        try {
            return new Answer(http.send(base, new ClusterRequest("GET", path, Map.of(), new byte[0]), CALL).join(), null);
        } catch (RuntimeException e) {
            return new Answer(null, String.valueOf(ClusterClient.cause(e).getMessage()));
        }
    }

    /** An object written at this site must reach the next site of the probe container's ring. */
    private Finding probe(String account, Duration syncWait) throws InterruptedException {
        String what = "sync probe " + account + "/" + PROBE_CONTAINER;
        if (sites == null) {
            return Finding.failed(what, "no service-credentials at this site", "autosync.service-credentials");
        }
        String here = fed.site().name();
        Placement p = fed.policy().decide(account, PROBE_CONTAINER);
        if (!p.contains(here) || p.size() < 2) {
            return Finding.failed(what, "placed at " + p + ": nothing to sync from here",
                    "--account: an account whose containers are placed at this site and another");
        }
        Site next = p.sites().get((p.indexOf(here) + 1) % p.size());
        String path = "/v1/" + SwiftPath.quote(account) + "/" + PROBE_CONTAINER;
        for (Site s : p.sites()) {
            Map<String, List<String>> h = new LinkedHashMap<>();
            Optional<String> to = fed.topology().syncTo(p, s.name(), SwiftPath.quote(account), PROBE_CONTAINER);
            to.ifPresent(t -> {
                h.put(ReplicatedHeaders.SYNC_TO, List.of(t));
                h.put(ReplicatedHeaders.SYNC_KEY, List.of(fed.syncKeys().keyFor(account, PROBE_CONTAINER)));
            });
            ClusterResponse r = sites.send(s, new ClusterRequest("PUT", path, h, new byte[0])).join();
            if (!r.is2xx()) {
                return Finding.failed(what, "creating the probe container at " + s.name() + " answered " + r.status(),
                        "the service user's rights in " + account + " at site " + s.name());
            }
        }
        String object = "probe-" + System.currentTimeMillis();
        ClusterResponse put = sites.send(fed.site(), new ClusterRequest("PUT", path + "/" + object,
                Map.of("content-type", List.of("text/plain")), "autosync check".getBytes(StandardCharsets.UTF_8))).join();
        if (!put.is2xx()) {
            return Finding.failed(what, "writing the probe object answered " + put.status(), "this site's Swift");
        }
        long t0 = System.nanoTime();
        long deadline = t0 + syncWait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                ClusterResponse l = sites.send(next, new ClusterRequest("GET", path + "?format=json&prefix=" + object,
                        Map.of(), new byte[0])).join();
                if (l.status() == 200 && new String(l.body(), StandardCharsets.UTF_8).contains("\"" + object + "\"")) {
                    return Finding.ok(what, String.format(java.util.Locale.ROOT, "an object written at %s reached %s in "
                            + "%.1f s", here, next.name(), (System.nanoTime() - t0) / 1e9));
                }
                Thread.sleep(1000);
            }
            return Finding.failed(what, "an object written at " + here + " did not reach " + next.name() + " within "
                    + syncWait.toSeconds() + " s", "container-sync from " + here + " to " + next.name() + ": "
                    + "swift-container-sync running at " + here + ", the same key for realm "
                    + fed.topology().realm().toUpperCase(java.util.Locale.ROOT) + " in container-sync-realms.conf at "
                    + "both sites, and " + here + "'s Swift able to reach " + next.name() + "'s cluster URL in that "
                    + "realm (or a longer --sync-wait: Swift syncs every container_sync interval, 300 s by default)");
        } finally {
            // waited for: the command's event loops close right after
            sites.send(fed.site(), new ClusterRequest("DELETE", path + "/" + object, Map.of(), new byte[0]))
                    .exceptionally(e -> null).join();
        }
    }
}
