package org.autosync.placement;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The configured sites, in configuration order. Immutable. */
public final class Sites {

    private final List<Site> all;
    private final Map<String, Site> byName;

    public Sites(List<Site> sites) {
        Objects.requireNonNull(sites, "sites");
        Map<String, Site> map = new LinkedHashMap<>();
        for (Site site : sites) {
            Objects.requireNonNull(site, "site");
            if (map.putIfAbsent(site.name(), site) != null) {
                throw new IllegalArgumentException("duplicate site '" + site.name() + "'");
            }
        }
        this.all = List.copyOf(sites);
        this.byName = Collections.unmodifiableMap(map);
    }

    public static Sites of(Site... sites) {
        return new Sites(List.of(sites));
    }

    /** @throws IllegalArgumentException if no site has that name */
    public Site get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown site '" + name + "'"));
    }

    public Optional<Site> find(String name) {
        Objects.requireNonNull(name, "name");
        return Optional.ofNullable(byName.get(name));
    }

    public List<Site> all() {
        return all;
    }

    public int size() {
        return all.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sites other && all.equals(other.all);
    }

    @Override
    public int hashCode() {
        return all.hashCode();
    }

    @Override
    public String toString() {
        return byName.keySet().toString();
    }
}
