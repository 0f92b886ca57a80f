package org.autosync.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** The per-site outcomes of one fanned-out container write, judged against a {@link Consistency}. */
public final class FanOutResult {

    private final Placement placement;
    private final String localSite;
    private final Consistency consistency;
    private final List<SiteOutcome> outcomes;
    private final boolean satisfied;

    private FanOutResult(Placement placement, String localSite, Consistency consistency,
                         List<SiteOutcome> outcomes, boolean satisfied) {
        this.placement = placement;
        this.localSite = localSite;
        this.consistency = consistency;
        this.outcomes = List.copyOf(outcomes);
        this.satisfied = satisfied;
    }

    /**
     * @param outcomes exactly one per site of the placement, including the local one, in any order
     * @throws IllegalArgumentException if outcomes are missing, duplicated or name sites outside the
     *                                  placement, or if {@code localSite} is not in the placement
     */
    public static FanOutResult judge(Placement placement, String localSite, List<SiteOutcome> outcomes,
                                     Consistency consistency) {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(localSite, "localSite");
        Objects.requireNonNull(outcomes, "outcomes");
        Objects.requireNonNull(consistency, "consistency");
        if (!placement.contains(localSite)) {
            throw new IllegalArgumentException("local site '" + localSite + "' is not in placement " + placement);
        }
        Map<String, SiteOutcome> bySite = new HashMap<>();
        for (SiteOutcome outcome : outcomes) {
            Objects.requireNonNull(outcome, "outcome");
            if (!placement.contains(outcome.site())) {
                throw new IllegalArgumentException("outcome for site '" + outcome.site() + "' which is not in placement "
                        + placement);
            }
            if (bySite.putIfAbsent(outcome.site(), outcome) != null) {
                throw new IllegalArgumentException("two outcomes for site '" + outcome.site() + "'");
            }
        }
        List<SiteOutcome> ordered = new ArrayList<>();
        for (String name : placement.names()) {
            SiteOutcome outcome = bySite.get(name);
            if (outcome == null) {
                throw new IllegalArgumentException("no outcome for site '" + name + "'");
            }
            ordered.add(outcome);
        }
        long ok = ordered.stream().filter(SiteOutcome::succeeded).count();
        boolean satisfied = switch (consistency) {
            case ALL -> ok == ordered.size();
            case QUORUM -> ok > ordered.size() / 2;
            case LOCAL -> bySite.get(localSite).succeeded();
        };
        return new FanOutResult(placement, localSite, consistency, ordered, satisfied);
    }

    public boolean satisfied() {
        return satisfied;
    }

    /** In placement order. */
    public List<SiteOutcome> outcomes() {
        return outcomes;
    }

    /** Names of the sites that did not apply the request, in placement order. */
    public List<String> failedSites() {
        return outcomes.stream().filter(o -> !o.succeeded()).map(SiteOutcome::site).toList();
    }

    public int succeededCount() {
        return (int) outcomes.stream().filter(SiteOutcome::succeeded).count();
    }

    public Consistency consistency() {
        return consistency;
    }

    public Placement placement() {
        return placement;
    }

    /** Per-site summary for a response header, e.g. {@code a=201, b=timeout}, in placement order. */
    public String sitesHeader() {
        return outcomes.stream().map(o -> o.site() + "=" + o.label()).collect(Collectors.joining(", "));
    }

    /**
     * Status to give the client: 503 when the consistency level is not met. When it is met, the
     * local status, unless the local site itself failed (possible under QUORUM): then the status
     * of the first site that succeeded, because answering a met quorum with the local error would
     * make the client retry a write that took effect.
     */
    public int clientStatus(int localStatus) {
        if (!satisfied) {
            return 503;
        }
        SiteOutcome local = outcomes.get(placement.indexOf(localSite));
        if (local.succeeded()) {
            return localStatus;
        }
        return outcomes.stream().filter(SiteOutcome::succeeded).findFirst().orElseThrow().status();
    }

    /** Short plain-text body: a summary line, then one line per site in placement order. */
    public String describe() {
        StringBuilder sb = new StringBuilder("autosync: consistency '").append(consistency.label()).append('\'');
        List<String> failed = failedSites();
        if (!satisfied) {
            sb.append(" not met: ").append(succeededCount()).append(" of ").append(outcomes.size())
                    .append(outcomes.size() == 1 ? " site" : " sites").append(" applied the request");
        } else if (!failed.isEmpty()) {
            sb.append(" met; not applied at: ").append(String.join(", ", failed));
        } else {
            sb.append(" met: all ").append(outcomes.size()).append(outcomes.size() == 1 ? " site" : " sites")
                    .append(" applied the request");
        }
        sb.append('\n');
        for (SiteOutcome o : outcomes) {
            sb.append(o.site()).append(": ").append(describe(o)).append('\n');
        }
        return sb.toString();
    }

    private static String describe(SiteOutcome o) {
        return switch (o.kind()) {
            case OK, HTTP_ERROR -> {
                String phrase = HttpReason.phrase(o.status());
                yield phrase.isEmpty() ? Integer.toString(o.status()) : o.status() + " " + phrase;
            }
            case TIMEOUT -> "timeout after " + o.latency().toMillis() + " ms";
            case CONNECT_REFUSED -> "connection refused";
            case AUTH_FAILED -> "authentication failed";
            case ERROR -> o.detail().isEmpty() ? "error" : "error: " + o.detail();
            case DOWN -> "down (health checks fail; not tried, recorded for repair)";
            case PENDING -> "sent, not waited for (recorded for repair until it confirms)";
        };
    }

    @Override
    public String toString() {
        return "FanOutResult[" + consistency.label() + (satisfied ? " met" : " not met") + ": " + sitesHeader() + "]";
    }
}
