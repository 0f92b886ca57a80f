package org.autosync.placement;

import java.util.List;
import java.util.Objects;

/** One {@code placement.rules} entry: containers matching both globs live on {@code siteNames}. */
public record PlacementRule(Glob account, Glob container, List<String> siteNames) {

    public PlacementRule {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(container, "container");
        siteNames = List.copyOf(Objects.requireNonNull(siteNames, "siteNames"));
    }

    public boolean matches(String accountName, String containerName) {
        return account.matches(accountName) && container.matches(containerName);
    }
}
