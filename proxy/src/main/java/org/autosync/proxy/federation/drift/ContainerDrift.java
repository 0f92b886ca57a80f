package org.autosync.proxy.federation.drift;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.SiteCalls;
import org.autosync.proxy.route.SwiftPath;

/**
 * {@code autosync status --container A/C}: one container at every site of its placement, object
 * by object: what each site's listing holds (count, bytes), which objects are missing where, and
 * which differ. A sync that fails for one container (a quota at one site, a 401 from a key that
 * differs, a storage policy) stops being silent here.
 */
public final class ContainerDrift {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 1000;

    private final FederationSettings fed;
    private final SiteCalls sites;
    private final int maxObjects;

    public ContainerDrift(FederationSettings fed, SiteCalls sites, int maxObjects) {
        this.fed = requireNonNull(fed, "fed");
        this.sites = requireNonNull(sites, "sites");
        this.maxObjects = maxObjects;
    }

    /** The report as plain values, for text or JSON. */
    public Map<String, Object> run(String account, String container) {
        Placement p = fed.policy().decide(account, container);
        String path = "/v1/" + SwiftPath.quote(account) + "/" + SwiftPath.quote(container);
        Map<String, List<ListingCompare.Entry>> listings = new LinkedHashMap<>();
        Map<String, Object> sitesOut = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        boolean truncated = false;
        String upTo = null; // the smallest last name of a listing cut short: beyond it, nothing is known everywhere
        for (Site s : p.sites()) {
            Map<String, Object> one = new LinkedHashMap<>();
            ClusterResponse head = sites.send(s, new ClusterRequest("HEAD", path, Map.of(), new byte[0])).join();
            one.put("status", head.status());
            if (head.is2xx()) {
                one.put("swift_object_count", head.header("x-container-object-count"));
                one.put("swift_bytes_used", head.header("x-container-bytes-used"));
                one.put("sync_to", head.header("x-container-sync-to"));
                one.put("storage_policy", head.header("x-storage-policy"));
                try {
                    List<ListingCompare.Entry> entries = list(s, path);
                    if (entries.size() >= maxObjects) {
                        truncated = true;
                        String last = entries.get(entries.size() - 1).name();
                        upTo = upTo == null || ListingCompare.SWIFT_ORDER.compare(last, upTo) < 0 ? last : upTo;
                    }
                    listings.put(s.name(), entries);
                } catch (IOException e) {
                    one.put("listing_error", e.getMessage());
                    unreadable.add(s.name());
                }
            } else {
                unreadable.add(s.name());
            }
            sitesOut.put(s.name(), one);
        }
        ListingCompare.Result r = ListingCompare.compare(listings, 50, upTo);
        r.totals().forEach((site, t) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> one = (Map<String, Object>) sitesOut.get(site);
            one.put("listed_objects", t.objects());
            one.put("listed_bytes", t.bytes());
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("container", account + "/" + container);
        out.put("placement", p.names());
        out.put("sites", sitesOut);
        out.put("in_step", r.inStep() && unreadable.isEmpty());
        out.put("missing_count", r.missingCount());
        out.put("missing", r.missing());
        out.put("differing_count", r.differingCount());
        out.put("differing", r.differing());
        out.put("not_compared", unreadable);
        out.put("truncated_at", truncated ? maxObjects : null);
        out.put("compared_up_to", upTo); // names after it were not compared
        return out;
    }

    private List<ListingCompare.Entry> list(Site s, String path) throws IOException {
        List<ListingCompare.Entry> entries = new ArrayList<>();
        String marker = "";
        while (entries.size() < maxObjects) {
            String q = path + "?format=json&limit=" + PAGE + (marker.isEmpty() ? ""
                    : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8).replace("+", "%20"));
            ClusterResponse r = sites.send(s, new ClusterRequest("GET", q, Map.of(), new byte[0])).join();
            if (r.status() == 204) {
                break;
            }
            if (r.status() != 200) {
                throw new IOException("listing answered " + r.status());
            }
            JsonNode page = JSON.readTree(r.body());
            if (!page.isArray() || page.isEmpty()) {
                break;
            }
            for (JsonNode o : page) {
                String name = o.has("name") ? o.path("name").asText() : o.path("subdir").asText();
                entries.add(new ListingCompare.Entry(name, o.path("hash").asText(""), o.path("bytes").asLong(),
                        o.path("last_modified").asText("")));
                marker = name;
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        return entries;
    }
}
