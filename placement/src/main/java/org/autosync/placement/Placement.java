package org.autosync.placement;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The ordered sites a container lives on. The order matters: it is the container-sync ring
 * (see {@link SyncTopology}) and the order sites are reported in.
 */
public record Placement(List<Site> sites) {

    public Placement {
        sites = List.copyOf(Objects.requireNonNull(sites, "sites"));
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("placement: empty");
        }
        Set<String> seen = new HashSet<>();
        for (Site site : sites) {
            if (!seen.add(site.name())) {
                throw new IllegalArgumentException("placement: duplicate site '" + site.name() + "'");
            }
        }
    }

    public static Placement of(Site... sites) {
        return new Placement(List.of(sites));
    }

    public boolean contains(String siteName) {
        return indexOf(siteName) >= 0;
    }

    /** Position of the site in this placement, or -1. */
    public int indexOf(String siteName) {
        Objects.requireNonNull(siteName, "siteName");
        for (int i = 0; i < sites.size(); i++) {
            if (sites.get(i).name().equals(siteName)) {
                return i;
            }
        }
        return -1;
    }

    public List<String> names() {
        return sites.stream().map(Site::name).toList();
    }

    public Site first() {
        return sites.get(0);
    }

    public int size() {
        return sites.size();
    }

    @Override
    public String toString() {
        return names().toString();
    }
}
