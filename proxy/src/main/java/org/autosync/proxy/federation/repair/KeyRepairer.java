package org.autosync.proxy.federation.repair;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.repair.CopyState;
import org.autosync.placement.repair.RepairAction;
import org.autosync.placement.repair.RepairDecision;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.federation.LocalService;
import org.autosync.proxy.federation.PeerClient;
import org.autosync.proxy.federation.ring.RingRoutes;
import org.autosync.proxy.route.SwiftPath;

/**
 * Brings one key in line at the site a record names: reads the copy here and there, lets
 * {@link RepairDecision} decide, and sends what it decided to that site's proxy (signed).
 */
public final class KeyRepairer implements RecordHandler {
    /**
     * What became of a record: the decision's kind, why, whether the record is finished, and for
     * a draining delete since when every copy has read empty (null: not empty now).
     */
    public record Outcome(RepairAction.Kind kind, String reason, boolean done, Long emptySince) {
        public Outcome(RepairAction.Kind kind, String reason, boolean done) {
            this(kind, reason, done, null);
        }
    }

    /**
     * On a HEAD whose answer may lead to a DELETE: Swift answers from the newest of its
     * replicas, not the first to answer, which may have missed a later PUT.
     */
    public static final Map<String, List<String>> NEWEST = Map.of("x-newest", List.of("true"));

    private final FederationSettings fed;
    private final RingRoutes routes;
    private final LocalService local;
    private final PeerClient peers;

    private final DrainRepairer drains;
    private final ChangeClocks clocks;

    public KeyRepairer(FederationSettings fed, RingRoutes routes, LocalService local, PeerClient peers,
                       ChangeClocks clocks, RepairRecords records, java.time.Clock clock) {
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.local = requireNonNull(local, "local");
        this.peers = requireNonNull(peers, "peers");
        this.clocks = requireNonNull(clocks, "clocks");
        this.drains = new DrainRepairer(fed, routes, local, peers, clocks, records, fed.repair(), clock);
    }

    @Override
    public java.util.List<String> peersOf(RepairRecord r) {
        Placement p = r.isContainer() ? fed.policy().decide(r.account(), r.container())
                : fed.policy().decideAccount(r.account());
        return p.names().stream().filter(n -> !n.equals(fed.site().name())).toList();
    }

    @Override
    public CompletableFuture<Outcome> repair(RepairRecord r, Long emptySince) {
        if (r.op() == org.autosync.placement.repair.RepairOp.CONTAINER_DRAIN) {
            return drains.drain(r, emptySince);
        }
        return repair(r);
    }

    public CompletableFuture<Outcome> repair(RepairRecord r) {
        Optional<Site> target = fed.sites().find(r.target());
        Placement placement = r.isContainer()
                ? fed.policy().decide(r.account(), r.container())
                : fed.policy().decideAccount(r.account());
        if (target.isEmpty() || !placement.contains(r.target()) || !placement.contains(fed.site().name())) {
            return done(new Outcome(RepairAction.Kind.SUPERSEDED, r.key() + " is no longer placed at "
                    + r.target() + " and " + fed.site().name() + " (placement " + placement + ")", true));
        }
        Site site = target.get();
        String path = "/v1/" + SwiftPath.quote(r.account()) + (r.isContainer() ? "/" + SwiftPath.quote(r.container()) : "");
        Map<String, String> sync = syncFor(r, placement);
        if (!r.headers().isEmpty()) {
            return withClocks(r, site, path, sync); // the client set metadata: the clocks are wanted
        }
        return decide(r, site, path, sync).thenCompose(first -> carriesMetadata(first, r.isContainer())
                ? withClocks(r, site, path, sync) // metadata changed since: read it again, after the clocks
                : act(site, path, first, Map.of(), changedAt(r))); // no value that a clock could be wanted for
    }

    /**
     * For a client's container PUT or POST, when it was made: the target calls off its draining
     * deletes of the container that are older, as the change's own fan-out would have.
     */
    private static Long changedAt(RepairRecord r) {
        return r.op() == org.autosync.placement.repair.RepairOp.CONTAINER_PUT
                || r.op() == org.autosync.placement.repair.RepairOp.CONTAINER_POST ? r.stampMicros() : null;
    }

    /**
     * The clocks first, then the values: a value changed in between goes out with an older
     * clock, and loses against the newer one its own fan-out already took there.
     */
    private CompletableFuture<Outcome> withClocks(RepairRecord r, Site site, String path, Map<String, String> sync) {
        return clocks.read(r.account(), r.container()).thenCompose(mine -> decide(r, site, path, sync)
                .thenCompose(action -> act(site, path, action, mine, changedAt(r))));
    }

    /** Reads the copy here and at the record's target, and decides. */
    private CompletableFuture<RepairAction> decide(RepairRecord r, Site site, String path, Map<String, String> sync) {
        ClusterRequest head = new ClusterRequest("HEAD", path, NEWEST, new byte[0]);
        CompletableFuture<CopyState> here = local.send(head).thenApply(KeyRepairer::state);
        CompletableFuture<CopyState> there = peers.send(site, head).thenApply(res -> res.response() == null
                ? CopyState.unknown(res.outcome().label()) : state(res.response()));
        return here.thenCombine(there, (h, t) -> RepairDecision.decide(r, h, t, sync));
    }

    /**
     * Whether an action sends a header a change clock may exist for: only replicated metadata
     * and ACLs are clocked, never the copy's own sync headers or its storage policy. Most
     * repairs (a container created without metadata) then cost no read of the clocks.
     */
    static boolean carriesMetadata(RepairAction action, boolean container) {
        return action.kind().acts() && action.headers().keySet().stream()
                .anyMatch(h -> ReplicatedHeaders.setForm(h, container) != null);
    }

    /**
     * Sends what was decided; the values go with this site's clocks for them, so the target keeps
     * a value of its own that is newer (its own record brings that one here).
     */
    private CompletableFuture<Outcome> act(Site site, String path, RepairAction action,
                                           Map<String, org.autosync.placement.repair.ChangeClock> mine, Long changedAt) {
        // A copy there as it should be may still have a delete draining there that is older than
        // this change: a POST that sets nothing carries the change's time, and the target calls it off.
        boolean callOffOnly = action.kind() == RepairAction.Kind.IN_SYNC && changedAt != null;
        if (!action.kind().acts() && !callOffOnly) {
            return done(new Outcome(action.kind(), action.reason(), action.kind().finishes()));
        }
        String method = callOffOnly ? "POST" : switch (action.kind()) {
            case CREATE -> "PUT";
            case UPDATE -> "POST";
            default -> "DELETE";
        };
        Map<String, List<String>> headers = new LinkedHashMap<>();
        action.headers().forEach((k, v) -> headers.put(k, List.of(v)));
        Map<String, org.autosync.placement.repair.ChangeClock> carried = new java.util.TreeMap<>();
        action.headers().keySet().forEach(k -> {
            if (mine.containsKey(k)) {
                carried.put(k, mine.get(k));
            }
        });
        if (!carried.isEmpty()) {
            headers.put(org.autosync.proxy.federation.ClockHeaders.CLOCKS,
                    List.of(org.autosync.placement.repair.ChangeClock.formatAll(carried)));
        }
        if (changedAt != null && !method.equals("DELETE")) {
            headers.put(org.autosync.proxy.federation.ClockHeaders.CHANGED_AT, List.of(Long.toString(changedAt)));
        }
        return peers.send(site, new ClusterRequest(method, path, headers, new byte[0])).thenApply(res -> {
            String label = res.outcome().label();
            boolean ok = res.response() != null && (res.response().is2xx()
                    || method.equals("DELETE") && res.response().status() == 404);
            if (ok) {
                return new Outcome(action.kind(), action.reason() + ": " + method + " at " + site.name() + " " + label,
                        true);
            }
            // a 409 on DELETE: objects arrived there since it was read; a failure: the site is away
            return new Outcome(RepairAction.Kind.RETRY, method + " at " + site.name() + " failed (" + label + ")", false);
        });
    }

    /** The sync headers the copy at the record's target must carry; none for an account or one site. */
    private Map<String, String> syncFor(RepairRecord r, Placement placement) {
        if (!r.isContainer()) {
            return Map.of();
        }
        Optional<String> to = routes.syncTo(placement, r.target(), SwiftPath.quote(r.account()),
                SwiftPath.quote(r.container()));
        if (to.isEmpty()) {
            return Map.of();
        }
        return Map.of(ReplicatedHeaders.SYNC_TO, to.get(),
                ReplicatedHeaders.SYNC_KEY, fed.syncKeys().keyFor(r.account(), r.container()));
    }

    /** A HEAD answer as a copy's state: 404 absent, another failure unknown. */
    public static CopyState state(ClusterResponse resp) {
        if (resp.status() == 404) {
            return CopyState.absent();
        }
        if (!resp.is2xx()) {
            return CopyState.unknown(String.valueOf(resp.status()));
        }
        Map<String, String> h = new LinkedHashMap<>();
        resp.headers().forEach((k, v) -> {
            if (!v.isEmpty()) {
                h.put(k, v.get(0));
            }
        });
        return CopyState.present(h);
    }

    private static <T> CompletableFuture<T> done(T t) {
        return CompletableFuture.completedFuture(t);
    }
}
