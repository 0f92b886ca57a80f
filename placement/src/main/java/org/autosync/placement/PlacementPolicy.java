package org.autosync.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which sites a container lives on: an ordered list of rules, first match wins,
 * and a default for everything no rule matches. Immutable once built.
 *
 * <p>Validation messages name the offending configuration key relative to {@code autosync.},
 * e.g. {@code placement.rules[1].sites: unknown site 'c'}; rule indexes are 0-based, in the
 * order {@link Builder#addRule} was called (the configuration list order).
 */
public final class PlacementPolicy {

    private final Sites sites;
    private final Placement defaultPlacement;
    private final List<PlacementRule> rules;
    private final List<Placement> rulePlacements;

    private PlacementPolicy(Sites sites, Placement defaultPlacement, List<PlacementRule> rules,
                            List<Placement> rulePlacements) {
        this.sites = sites;
        this.defaultPlacement = defaultPlacement;
        this.rules = List.copyOf(rules);
        this.rulePlacements = List.copyOf(rulePlacements);
    }

    public static Builder builder(Sites sites) {
        return new Builder(sites);
    }

    /** Placement of a container: the first rule whose account glob and container glob both match, else the default. */
    public Placement decide(String account, String container) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(container, "container");
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).matches(account, container)) {
                return rulePlacements.get(i);
            }
        }
        return defaultPlacement;
    }

    /**
     * Placement for account-level operations (account HEAD/GET/POST/DELETE), which have no
     * container: every site where a container of this account may live. That is the union, in
     * rule order, of the sites of every rule whose account glob matches, up to and including the
     * first such rule whose container glob is {@code *} (no later rule, nor the default, can place
     * a container of this account); without such a rule, the default's sites too.
     *
     * <p>Account metadata (ACLs, temp-URL keys, quotas) governs every container of the account,
     * so it must reach each site that holds one. Taking only the first matching rule let a narrow
     * rule listed first (say {@code special-*} at c only) keep account changes away from the
     * sites holding the account's other containers.
     */
    public Placement decideAccount(String account) {
        Objects.requireNonNull(account, "account");
        Set<String> seen = new HashSet<>();
        List<Site> union = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            PlacementRule rule = rules.get(i);
            if (!rule.account().matches(account)) {
                continue;
            }
            addNew(rulePlacements.get(i), seen, union);
            if (rule.container().pattern().equals("*")) {
                return new Placement(union);
            }
        }
        addNew(defaultPlacement, seen, union);
        return new Placement(union);
    }

    private static void addNew(Placement p, Set<String> seen, List<Site> into) {
        for (Site s : p.sites()) {
            if (seen.add(s.name())) {
                into.add(s);
            }
        }
    }

    public Sites sites() {
        return sites;
    }

    public Placement defaultPlacement() {
        return defaultPlacement;
    }

    public List<PlacementRule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PlacementPolicy[");
        for (int i = 0; i < rules.size(); i++) {
            PlacementRule r = rules.get(i);
            sb.append(r.account()).append('/').append(r.container()).append(" -> ")
                    .append(rulePlacements.get(i)).append(", ");
        }
        return sb.append("default -> ").append(defaultPlacement).append(']').toString();
    }

    /** Collects configuration; all checks happen in {@link #build()} so that errors name config keys. */
    public static final class Builder {

        private final Sites sites;
        private List<String> defaultSites = List.of();
        private final List<RawRule> rules = new ArrayList<>();

        private record RawRule(String account, String container, List<String> sites) {
        }

        private Builder(Sites sites) {
            this.sites = Objects.requireNonNull(sites, "sites");
        }

        public Builder defaultSites(List<String> siteNames) {
            // nulls are kept so build() can report them against the config key
            this.defaultSites = siteNames == null ? List.of() : new ArrayList<>(siteNames);
            return this;
        }

        public Builder addRule(String accountGlob, String containerGlob, List<String> siteNames) {
            rules.add(new RawRule(accountGlob, containerGlob,
                    siteNames == null ? List.of() : new ArrayList<>(siteNames)));
            return this;
        }

        /** @throws IllegalArgumentException naming the config key that is wrong */
        public PlacementPolicy build() {
            Placement def = resolve("placement.default", defaultSites);
            List<PlacementRule> built = new ArrayList<>();
            List<Placement> placements = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                RawRule raw = rules.get(i);
                String key = "placement.rules[" + i + "]";
                Glob account = glob(key + ".account", raw.account());
                Glob container = glob(key + ".container", raw.container());
                Placement placement = resolve(key + ".sites", raw.sites());
                built.add(new PlacementRule(account, container, placement.names()));
                placements.add(placement);
            }
            return new PlacementPolicy(sites, def, built, placements);
        }

        private static Glob glob(String key, String pattern) {
            if (pattern == null || pattern.isEmpty()) {
                // an empty glob only matches the empty name, which Swift never has: surely a mistake
                throw new IllegalArgumentException(key + ": empty");
            }
            return Glob.of(pattern);
        }

        private Placement resolve(String key, List<String> names) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException(key + ": empty");
            }
            Set<String> seen = new HashSet<>();
            List<Site> resolved = new ArrayList<>();
            for (String name : names) {
                if (name == null) {
                    throw new IllegalArgumentException(key + ": null site name");
                }
                Site site = sites.find(name).orElseThrow(
                        () -> new IllegalArgumentException(key + ": unknown site '" + name + "'"));
                if (!seen.add(name)) {
                    throw new IllegalArgumentException(key + ": duplicate site '" + name + "'");
                }
                resolved.add(site);
            }
            return new Placement(resolved);
        }
    }
}
