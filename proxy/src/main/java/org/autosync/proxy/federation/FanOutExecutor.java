package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.federation.ring.RingRoutes;
import org.autosync.proxy.federation.repair.ChangeClocks;
import org.autosync.proxy.federation.repair.RepairRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.autosync.auth.AuthMode;
import org.autosync.placement.Consistency;
import org.autosync.placement.FanOutResult;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.SiteOutcome;
import org.autosync.proxy.config.FederationSettings;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.cluster.LocalCall;
import org.autosync.proxy.route.SwiftPath;

/**
 * A client's account or container PUT/POST/DELETE: applied at the local cluster first (which
 * decides on the client's auth), then at every other site of the placement in parallel.
 */
public final class FanOutExecutor {
    public static final String SITES_HEADER = "X-Autosync-Sites";
    public static final String CONSISTENCY_HEADER = "X-Autosync-Consistency";
    /** On an answer: the sites that missed the change and have a repair record for it. */
    public static final String REPAIR_HEADER = "X-Autosync-Repair-Pending";
    /** On an answer whose change Swift will not sync, and why. */
    public static final String NOT_SYNCED_HEADER = "X-Autosync-Not-Synced";
    private static final Logger log = LoggerFactory.getLogger(FanOutExecutor.class);
    private static final List<String> NEVER_FOR_PEERS = List.of("authorization", "cookie");
    private static final List<String> TOKENS = List.of("x-auth-token", "x-storage-token", "x-service-token");

    private final FederationSettings fed;
    private final RingRoutes routes;
    private final ClusterClient http;
    private final URI localCluster;
    private final Duration localTimeout;
    /** How long a bulk delete may take at this site's Swift. */
    private static final Duration BULK_DELETE_TIME = Duration.ofMinutes(10);
    private final PeerClient peers;
    private final ProxyMetrics metrics;
    private final RepairRecords records;
    private final ChangeClocks clockStore; // null: repair off
    private final SiteCalls sites;         // null: repair off
    private final Clock clock;
    private final PeerHealth health;
    /** Per key, the peer calls of the last change sent there: the next change's go after them. */
    private final Map<String, CompletableFuture<Void>> legsInFlight = new java.util.concurrent.ConcurrentHashMap<>();

    public FanOutExecutor(FederationSettings fed, RingRoutes routes, ClusterClient http, URI localCluster,
                          Duration localTimeout, PeerClient peers, ProxyMetrics metrics, RepairRecords records,
                          ChangeClocks clockStore, SiteCalls sites, Clock clock, PeerHealth health) {
        this.fed = requireNonNull(fed, "fed");
        this.routes = requireNonNull(routes, "routes");
        this.http = requireNonNull(http, "http");
        this.localCluster = requireNonNull(localCluster, "localCluster");
        this.localTimeout = requireNonNull(localTimeout, "localTimeout");
        this.peers = requireNonNull(peers, "peers");
        this.metrics = requireNonNull(metrics, "metrics");
        this.records = requireNonNull(records, "records");
        this.clockStore = clockStore;
        this.sites = sites;
        this.clock = requireNonNull(clock, "clock");
        this.health = requireNonNull(health, "health");
        metrics.registerRefusalCounters(java.util.Arrays.stream(Admission.Reason.values())
                .map(Admission.Reason::label).toList());
    }

    public CompletableFuture<ClusterResponse> execute(ClusterRequest req, SwiftPath path) {
        Consistency consistency = fed.consistency();
        String asked = req.header(CONSISTENCY_HEADER);
        if (asked != null) {
            try {
                consistency = Consistency.parse(asked.trim());
            } catch (IllegalArgumentException e) {
                return done(ClusterResponse.text(400, "autosync: " + CONSISTENCY_HEADER + ": " + e.getMessage()));
            }
        }
        boolean container = path.kind() == SwiftPath.Kind.CONTAINER;
        Placement placement = container
                ? fed.policy().decide(path.account(), path.container())
                : fed.policy().decideAccount(path.account());
        Admission.Refusal refused = Admission.check(req.method(), path, req::header, placement, fed.maxNameLength(),
                fed.allowAccountDelete());
        if (refused != null) {
            metrics.refused(refused.reason());
            return done(refused.toResponse());
        }
        String here = fed.site().name();
        if (!placement.contains(here)) {
            return done(ClusterResponse.text(409, "autosync: " + path.account()
                    + (container ? "/" + path.container() : "") + " is placed at " + placement
                    + "; this site (" + here + ") is not one of them"));
        }
        // clocks are Autosync's to set: a client's would let it win every conflict
        ClusterRequest base = ClockHeaders.without(req.with(CONSISTENCY_HEADER, null));
        if (container && req.method().equals("DELETE")) {
            // pending from before the local copy goes until recorded or done everywhere: a
            // reconcile meanwhile must not bring the copy back from the others
            Runnable underway = records.deleteUnderway(path.account(), path.container());
            CompletableFuture<ClusterResponse> deleted;
            try {
                deleted = deleteContainer(base, path, placement, consistency);
            } catch (RuntimeException e) {
                underway.run();
                throw e;
            }
            return deleted.whenComplete((r, err) -> underway.run());
        }
        if (path.kind() == SwiftPath.Kind.ACCOUNT && req.method().equals("DELETE")) {
            return deleteAccount(base, path, placement, consistency);
        }
        if (path.kind() == SwiftPath.Kind.ACCOUNT && req.method().equals("POST") && changesAccountMetadata(req)
                && placement.size() > 1) {
            Consistency level = consistency;
            return metadataRoom(base, path, placement).thenCompose(refusal -> refusal != null ? done(refusal)
                    : apply(base, path, placement, level));
        }
        return apply(base, path, placement, consistency);
    }

    private CompletableFuture<ClusterResponse> apply(ClusterRequest req, SwiftPath path, Placement placement,
                                                     Consistency consistency) {
        return apply(req, path, placement, consistency, null);
    }

    /** {@code emptyHead}: for a DELETE of a container every site read empty, the local HEAD then. */
    private CompletableFuture<ClusterResponse> apply(ClusterRequest req, SwiftPath path, Placement placement,
                                                     Consistency consistency, ClusterResponse emptyHead) {
        String here = fed.site().name();
        long t0 = System.nanoTime();
        return local(withSync(req, path, placement, here)).thenCompose(localResp -> {
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            if (refusedForVersioning(localResp) && placement.size() > 1) {
                return unsyncable(req, path);
            }
            if (!localResp.is2xx()) {
                // The local cluster is the authority on the client's request: nothing goes further.
                return done(localResp.with(SITES_HEADER, here + "=" + localResp.status()));
            }
            SiteOutcome localOutcome = SiteOutcome.http(here, localResp.status(), took);
            records.noteAccount(path.account());
            boolean changesContainer = path.kind() == SwiftPath.Kind.CONTAINER && !req.method().equals("DELETE");
            long changedAt = stampNow();
            if (!changesContainer) {
                return fanOut(req, path, placement, consistency, emptyHead, localResp, localOutcome, null);
            }
            // Swift has judged the client's change: only now may it call off a pending delete
            return records.supersedeDrains(path.account(), path.container(), changedAt).handle((names, err) -> {
                if (err != null) {
                    log.warn("{}/{}: a pending delete could not be called off: {}", path.account(), path.container(),
                            ClusterClient.cause(err).getMessage());
                    return done(ClusterResponse.text(503, "autosync: container " + path.account() + "/"
                            + path.container() + " was changed here, but a pending delete of it could not be"
                            + " called off; nothing was sent to the other sites: repeat the request")
                            .with(SITES_HEADER, here + "=" + localResp.status()));
                }
                if (!names.isEmpty()) {
                    log.info("{}/{}: a {} called off the pending delete {}", path.account(), path.container(),
                            req.method(), names);
                }
                return fanOut(req, path, placement, consistency, emptyHead, localResp, localOutcome, changedAt);
            }).thenCompose(f -> f);
        });
    }

    /**
     * After the change was applied here: sends it to every other site of the placement and
     * answers by the consistency level. {@code changedAt}: for a container PUT or POST, when it
     * was made (the peers call off their older draining deletes of it); else null.
     */
    private CompletableFuture<ClusterResponse> fanOut(ClusterRequest req, SwiftPath path, Placement placement,
                                                      Consistency consistency, ClusterResponse emptyHead,
                                                      ClusterResponse localResp, SiteOutcome localOutcome,
                                                      Long changedAt) {
        String here = fed.site().name();
        // the values just set here are the newest: their clock goes with them to every site
        Map<String, ChangeClock> clocks = changeClocks(req, path);
        CompletableFuture<Void> clocked = req.method().equals("DELETE") ? recordDelete(path) : recordClocks(path, clocks);
        String clockHeader = clocks.isEmpty() ? null : ChangeClock.formatAll(clocks);
        return ownerOnlyForOverride(req, path, placement).thenCompose(forOverride -> {
            List<Site> peerSites = new ArrayList<>();
            List<CompletableFuture<PeerClient.Result>> calls = new ArrayList<>();
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> turn = turnFor(path, mine);
            for (Site site : placement.sites()) {
                if (!site.name().equals(here)) {
                    ClusterRequest r = fed.authMode(site.name()) == AuthMode.OVERRIDE ? forOverride : req;
                    ClusterRequest leg = forPeer(site, withSync(r, path, placement, site.name())
                            .with(ClockHeaders.CLOCKS, clockHeader)
                            .with(ClockHeaders.CHANGED_AT, changedAt == null ? null : Long.toString(changedAt)));
                    peerSites.add(site);
                    calls.add(turn.thenCompose(v -> toPeer(site, leg)));
                }
            }
            turnDone(path, mine, calls);
            if (consistency == Consistency.LOCAL && emptyHead == null && records != RepairRecords.NONE
                    && !peerSites.isEmpty()) {
                return answerBeforePeers(req, path, placement, localResp, localOutcome, peerSites, calls, clocked,
                        changedAt);
            }
            List<CompletableFuture<?>> all = new ArrayList<>(calls);
            all.add(clocked); // answer once the clocks are stored too
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(v -> {
                List<SiteOutcome> outcomes = finalOutcomes(localOutcome, peerSites, calls);
                FanOutResult result = FanOutResult.judge(placement, here, outcomes, consistency);
                metrics.fanOut(req.method(), result);
                ClusterResponse answer = (result.satisfied()
                        ? localResp
                        : ClusterResponse.text(result.clientStatus(localResp.status()), result.describe()))
                        .with(SITES_HEADER, result.sitesHeader());
                List<Site> refused = placement.sites().stream().filter(st -> outcomes.stream().anyMatch(o ->
                        o.site().equals(st.name()) && o.kind() == SiteOutcome.Kind.HTTP_ERROR && o.status() == 409))
                        .toList();
                if (emptyHead != null && !refused.isEmpty() && records != RepairRecords.NONE) {
                    return raceLost(path, placement, emptyHead, outcomes, refused);
                }
                return recordMissed(req, path, outcomes, answer, changedAt);
            });
        });
    }

    private static boolean refusedForVersioning(ClusterResponse r) {
        return r.status() == 400 && new String(r.body(), StandardCharsets.UTF_8)
                .startsWith("Cannot configure container sync on a container with object versioning configured");
    }

    /**
     * The container has object versioning (set straight at Swift, before or around Autosync), and
     * Swift refuses the sync headers Autosync adds, for good: the client's change is applied here
     * without them, not fanned out, and the answer says the container is not synced. The client
     * can always change the container; the reconcile lists it as not synced.
     */
    private CompletableFuture<ClusterResponse> unsyncable(ClusterRequest req, SwiftPath path) {
        String here = fed.site().name();
        log.warn("{}/{}: object versioning is configured at {}; changed there only, not synced", path.account(),
                path.container(), here);
        return local(req).thenApply(r -> r.with(SITES_HEADER, here + "=" + r.status())
                .with(NOT_SYNCED_HEADER, "object versioning is configured at " + here
                        + "; Swift does not sync such a container, so this change stays at " + here));
    }

    /**
     * {@code local}: the client hears as soon as the local cluster applied the change and every
     * peer leg not yet confirmed is recorded for repair (one write at this site), or every leg
     * confirmed, whichever comes first, while the legs go on. A leg that succeeds removes its
     * record; one that fails leaves it for the repair worker. So nothing a client got a 2xx for
     * depends on this process living on.
     */
    private CompletableFuture<ClusterResponse> answerBeforePeers(ClusterRequest req, SwiftPath path,
                                                                 Placement placement, ClusterResponse localResp,
                                                                 SiteOutcome localOutcome, List<Site> peerSites,
                                                                 List<CompletableFuture<PeerClient.Result>> calls,
                                                                 CompletableFuture<Void> clocked, Long changedAt) {
        String here = fed.site().name();
        List<String> open = new ArrayList<>();
        List<CompletableFuture<PeerClient.Result>> openCalls = new ArrayList<>();
        List<SiteOutcome> outcomes = new ArrayList<>();
        outcomes.add(localOutcome);
        for (int i = 0; i < peerSites.size(); i++) {
            CompletableFuture<PeerClient.Result> call = calls.get(i);
            SiteOutcome done = call.isDone() ? call.join().outcome() : null;
            if (done != null && done.succeeded()) {
                outcomes.add(done);
            } else {
                open.add(peerSites.get(i).name());
                openCalls.add(call);
                outcomes.add(done != null ? done : SiteOutcome.pending(peerSites.get(i).name()));
            }
        }
        FanOutResult result = FanOutResult.judge(placement, here, outcomes, Consistency.LOCAL);
        ClusterResponse answer = localResp.with(SITES_HEADER, result.sitesHeader());
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenRun(() -> metrics.fanOut(req.method(),
                FanOutResult.judge(placement, here, finalOutcomes(localOutcome, peerSites, calls), Consistency.LOCAL)));
        if (open.isEmpty()) {
            return clocked.thenApply(v -> answer);
        }
        List<RepairRecord> batch = recordsFor(req, path, open, changedAt);
        // true once every open leg confirmed; a leg that ended in an exception did not
        CompletableFuture<Boolean> legsConfirmed = CompletableFuture.allOf(openCalls.toArray(CompletableFuture[]::new))
                .handle((v, err) -> err == null && openCalls.stream().allMatch(c -> c.join().outcome().succeeded()));
        // no record when every leg confirmed while the clocks were being stored
        CompletableFuture<List<String>> recorded = clocked.thenCompose(v ->
                Boolean.TRUE.equals(legsConfirmed.getNow(false)) ? CompletableFuture.completedFuture(null)
                        : records.record(batch));
        // a leg that succeeds removes its record once stored, whichever came first
        recorded.thenAccept(names -> {
            for (int i = 0; names != null && i < open.size(); i++) {
                String name = names.get(i);
                openCalls.get(i).thenAccept(r -> {
                    if (r.outcome().succeeded()) {
                        records.remove(name).exceptionally(e -> {
                            log.debug("record {} stays; the repair worker will find the site in step: {}", name,
                                    ClusterClient.cause(e).getMessage());
                            return null;
                        });
                    }
                });
            }
        });
        // the answer comes at the first of: the records stored, or every open leg confirmed (a
        // peer that answers faster than this site's Swift stores an object costs no wait); a
        // record that cannot be stored is a 503 only if a leg also failed
        CompletableFuture<ClusterResponse> first = new CompletableFuture<>();
        legsConfirmed.thenAccept(ok -> {
            if (ok) {
                String sites = FanOutResult.judge(placement, here, finalOutcomes(localOutcome, peerSites, calls),
                        Consistency.LOCAL).sitesHeader();
                clocked.thenRun(() -> first.complete(localResp.with(SITES_HEADER, sites)));
            }
        });
        recorded.whenComplete((names, err) -> {
            if (err == null && names != null) {
                first.complete(answer.with(REPAIR_HEADER, String.join(", ", open)));
            } else if (err != null) {
                legsConfirmed.thenAccept(ok -> {
                    if (ok) {
                        log.warn("{} {}: the repair record for {} could not be written ({}); every leg confirmed, "
                                + "so none was needed", req.method(), path.account(), open,
                                ClusterClient.cause(err).getMessage());
                        return;
                    }
                    List<SiteOutcome> finals = finalOutcomes(localOutcome, peerSites, calls);
                    List<String> missed = finals.stream().filter(o -> !o.site().equals(here) && !o.succeeded())
                            .map(SiteOutcome::site).toList();
                    first.complete(unrecorded(req, path, missed, err, localResp.with(SITES_HEADER,
                            FanOutResult.judge(placement, here, finals, Consistency.LOCAL).sitesHeader())));
                });
            }
        });
        return first;
    }

    /** This site's outcome and each peer leg's, once they are all done (one that threw: still pending). */
    private static List<SiteOutcome> finalOutcomes(SiteOutcome localOutcome, List<Site> peerSites,
                                                   List<CompletableFuture<PeerClient.Result>> calls) {
        List<SiteOutcome> finals = new ArrayList<>();
        finals.add(localOutcome);
        for (int i = 0; i < calls.size(); i++) {
            CompletableFuture<PeerClient.Result> c = calls.get(i);
            finals.add(c.isDone() && !c.isCompletedExceptionally() ? c.join().outcome()
                    : SiteOutcome.pending(peerSites.get(i).name()));
        }
        return finals;
    }

    /** One record per site in {@code targets}: the key, what the client did, and which headers (names only). */
    /**
     * {@code changedAt}: for a container PUT or POST, when it was made (its repair tells the
     * target, which calls off only the drains older than the change; a record written once the
     * legs timed out must not carry that later time).
     */
    private List<RepairRecord> recordsFor(ClusterRequest req, SwiftPath path, List<String> targets, Long changedAt) {
        boolean container = path.kind() == SwiftPath.Kind.CONTAINER;
        Set<String> names = new TreeSet<>();
        for (String h : req.headers().keySet()) {
            String set = ReplicatedHeaders.setForm(h, container);
            if (set != null) {
                names.add(set);
            }
        }
        long stamp = changedAt != null ? changedAt : stampNow();
        RepairOp op = RepairOp.of(req.method(), container);
        return targets.stream().map(site -> new RepairRecord(path.account(), container ? path.container() : "", op,
                site, fed.site().name(), stamp, names)).toList();
    }

    /** Applied here, and the record of what the others missed could not be stored: never a 2xx. */
    private ClusterResponse unrecorded(ClusterRequest req, SwiftPath path, List<String> missed, Throwable err,
                                       ClusterResponse answer) {
        boolean container = path.kind() == SwiftPath.Kind.CONTAINER;
        metrics.repairUnrecorded();
        log.error("{} {}: applied at {}, but the repair record for {} could not be written: {}", req.method(),
                path.account() + (container ? "/" + path.container() : ""), fed.site().name(), missed,
                ClusterClient.cause(err).getMessage());
        return ClusterResponse.text(503, "autosync: applied at " + fed.site().name() + ", but not at "
                + String.join(", ", missed) + ", and the repair record could not be stored; retry the request")
                .with(SITES_HEADER, answer.header(SITES_HEADER));
    }

    /** A call to a peer, unless its health says it is down; every outcome goes into its health. */
    private CompletableFuture<PeerClient.Result> toPeer(Site site, ClusterRequest req) {
        if (health.isDown(site.name())) {
            return CompletableFuture.completedFuture(new PeerClient.Result(SiteOutcome.down(site.name()), null));
        }
        return peers.send(site, req).thenApply(r -> {
            health.report(r.outcome());
            return r;
        });
    }

    /**
     * Records every peer leg that did not confirm, before the client hears anything: the change
     * is applied here, so it must reach those sites later. When the record cannot be written the
     * client gets 503 (a retry of its idempotent request is the safe way on), never a 2xx.
     */
    private CompletableFuture<ClusterResponse> recordMissed(ClusterRequest req, SwiftPath path,
                                                            List<SiteOutcome> outcomes, ClusterResponse answer,
                                                            Long changedAt) {
        List<String> missed = outcomes.stream().filter(o -> !o.site().equals(fed.site().name()))
                .filter(o -> o.kind() != SiteOutcome.Kind.OK).map(SiteOutcome::site).toList();
        if (missed.isEmpty() || records == RepairRecords.NONE) {
            return done(answer);
        }
        List<RepairRecord> batch = recordsFor(req, path, missed, changedAt);
        return records.record(batch).handle((ok, err) -> err == null
                ? answer.with(REPAIR_HEADER, String.join(", ", missed))
                : unrecorded(req, path, missed, err, answer));
    }

    /**
     * What an override-mode site, which applies everything as its all-powerful service user, may
     * be told of Swift's owner-only headers (ACLs, temp-URL keys, set or removed): all the client
     * sent when the client is proven to own the key, nothing otherwise. Swift silently drops them
     * for a non-owner and still answers 2xx, so passing them on unproven would let a user with
     * write access gain owner rights at the peers.
     *
     * <p>The proof: Swift lets only an account's owners change the account, so a local 2xx to an
     * account change is one. A container placed at several sites always carries the sync key
     * Autosync set, which Swift shows to owners only: the client's own HEAD showing it is one.
     */
    private CompletableFuture<ClusterRequest> ownerOnlyForOverride(ClusterRequest req, SwiftPath path,
                                                                   Placement placement) {
        List<String> asked = req.headers().keySet().stream().filter(ReplicatedHeaders::isOwnerOnly).toList();
        boolean overridePeer = placement.sites().stream()
                .anyMatch(s -> !s.name().equals(fed.site().name()) && fed.authMode(s.name()) == AuthMode.OVERRIDE);
        if (asked.isEmpty() || !overridePeer || path.kind() == SwiftPath.Kind.ACCOUNT) {
            return CompletableFuture.completedFuture(req);
        }
        return local(req.withMethod("HEAD")).thenApply(head -> {
            if (head.is2xx() && head.header(ReplicatedHeaders.SYNC_KEY) != null) {
                return req;
            }
            ClusterRequest r = req;
            for (String name : asked) {
                r = r.with(name, null); // not this client's to set, nor to remove
            }
            return r;
        });
    }

    /**
     * This change's turn at the peers: after every earlier change to the same key has had its
     * peer calls answered. With {@code local} the client hears before its legs finish, and its
     * next change (a DELETE after a PUT, a POST after a PUT) must not overtake them at a peer.
     * Costs nothing when no earlier leg is in flight.
     */
    private CompletableFuture<Void> turnFor(SwiftPath path, CompletableFuture<Void> mine) {
        CompletableFuture<Void> earlier = legsInFlight.put(keyOf(path), mine);
        return earlier == null ? CompletableFuture.completedFuture(null) : earlier;
    }

    /** Once {@code calls} are answered (or failed), the next change to the key may go. */
    private void turnDone(SwiftPath path, CompletableFuture<Void> mine, List<? extends CompletableFuture<?>> calls) {
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            legsInFlight.remove(keyOf(path), mine);
            mine.complete(null);
        });
    }

    private static String keyOf(SwiftPath path) {
        return path.account() + "/" + (path.kind() == SwiftPath.Kind.CONTAINER ? path.container() : "");
    }

    /** The HEADs of one key at this site (as the client) and at {@code others} (signed), all answered. */
    private record Heads(ClusterResponse local, List<CompletableFuture<PeerClient.Result>> peers) {
    }

    private CompletableFuture<Heads> headEverywhere(ClusterRequest req, SwiftPath path, List<Site> others) {
        ClusterRequest head = req.withMethod("HEAD");
        CompletableFuture<ClusterResponse> localHead = local(head);
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> turn = turnFor(path, mine);
        List<CompletableFuture<PeerClient.Result>> peerHeads = others.stream()
                .map(s -> turn.thenCompose(v -> toPeer(s, forPeer(s, head)))).toList();
        turnDone(path, mine, peerHeads);
        List<CompletableFuture<?>> all = new ArrayList<>(peerHeads);
        all.add(localHead);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> new Heads(localHead.join(), peerHeads));
    }

    /**
     * A container DELETE never loses an object: the local copy answers as Swift would (409 while
     * it holds objects); when every copy reads empty the container goes everywhere; when another
     * copy still holds objects or cannot be read, every copy is kept and the delete is recorded
     * to finish once sync has drained them (202), see {@link org.autosync.placement.repair.DrainDecision}.
     */
    private CompletableFuture<ClusterResponse> deleteContainer(ClusterRequest req, SwiftPath path,
                                                               Placement placement, Consistency consistency) {
        String here = fed.site().name();
        List<Site> others = placement.sites().stream().filter(s -> !s.name().equals(here)).toList();
        return headEverywhere(req, path, others).thenCompose(heads -> {
            ClusterResponse lh = heads.local();
            List<CompletableFuture<PeerClient.Result>> peerHeads = heads.peers();
            if (lh.status() == 404 && !others.isEmpty()) {
                return pendingDelete(req, path, placement, consistency);
            }
            if (!lh.is2xx()) {
                return apply(req, path, placement, consistency); // the local DELETE gives the real answer
            }
            List<String> full = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            List<String> header = new ArrayList<>();
            addCount(here, lh, full, header);
            boolean localFull = !full.isEmpty();
            for (int i = 0; i < others.size(); i++) {
                PeerClient.Result r = peerHeads.get(i).join();
                String name = others.get(i).name();
                if (r.response() != null && r.response().status() / 100 == 2) {
                    addCount(name, r.response(), full, header);
                } else {
                    header.add(name + "=" + r.outcome().label());
                    if (r.response() == null || r.response().status() != 404) {
                        unknown.add(name + " (" + r.outcome().label() + ")");
                    }
                }
            }
            if (full.isEmpty() && unknown.isEmpty()) {
                return apply(req, path, placement, consistency, lh);
            }
            if (!localFull && records != RepairRecords.NONE) {
                // the HEAD proved only that the client may read: Swift lets a container POST, like
                // its DELETE, only to those who may change the container. Asked before anything is
                // recorded, as the client, with nothing to change.
                return local(mayChange(req)).thenCompose(probe -> probe.is2xx()
                        ? drain(path, placement, lh, full, unknown, header)
                        : done(probe.with(SITES_HEADER, here + "=" + probe.status())));
            }
            if (!unknown.isEmpty() && consistency != Consistency.LOCAL && !localFull) {
                // Repair off: a copy we cannot see may still hold objects; deleting could lose them.
                return done(ClusterResponse.text(503, "autosync: cannot tell whether container " + path.account()
                        + "/" + path.container() + " is empty at: " + String.join(", ", unknown)
                        + "; nothing was deleted (" + CONSISTENCY_HEADER + ": local deletes anyway)")
                        .with(SITES_HEADER, String.join(", ", header)));
            }
            if (!full.isEmpty()) {
                return done(ClusterResponse.text(409, "autosync: container " + path.account() + "/"
                        + path.container() + " is not empty at: " + String.join(", ", full)
                        + "; nothing was deleted").with(SITES_HEADER, String.join(", ", header)));
            }
            return apply(req, path, placement, consistency);
        });
    }

    private static boolean changesAccountMetadata(ClusterRequest req) {
        return req.headers().keySet().stream()
                .anyMatch(h -> h.startsWith("x-account-meta-") || h.startsWith("x-remove-account-meta-"));
    }

    /**
     * Null when the account POST's metadata fits at every site that can be read now, counted
     * over what each site's account holds; else Swift's 400, naming the site. Without it a site
     * whose account holds other metadata refuses what this one applied, and the two stay apart.
     */
    private CompletableFuture<ClusterResponse> metadataRoom(ClusterRequest req, SwiftPath path, Placement placement) {
        String here = fed.site().name();
        ClusterRequest head = req.withMethod("HEAD");
        Map<String, CompletableFuture<ClusterResponse>> heads = new java.util.LinkedHashMap<>();
        for (Site s : placement.sites()) {
            heads.put(s.name(), s.name().equals(here) ? local(head)
                    : toPeer(s, forPeer(s, head)).thenApply(PeerClient.Result::response));
        }
        FederationSettings.MetaLimits limits = fed.metaLimits();
        return CompletableFuture.allOf(heads.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (Map.Entry<String, CompletableFuture<ClusterResponse>> e : heads.entrySet()) {
                ClusterResponse h = e.getValue().join();
                if (h == null || !h.is2xx()) {
                    continue; // not readable now: the change is recorded for it, and repair reports what will not fit
                }
                Map<String, String> held = new java.util.HashMap<>();
                h.headers().forEach((k, vs) -> held.put(k, vs.isEmpty() ? "" : vs.get(0)));
                String problem = MetadataRoom.check(held, req.headers(), "x-account-meta-", limits.count(),
                        limits.overallSize());
                if (problem != null) {
                    return ClusterResponse.swiftError(400, problem + ". autosync: at site " + e.getKey()
                            + ", counted over the metadata account " + path.account() + " holds there; nothing was "
                            + "changed at any site. Remove metadata first (X-Remove-Account-Meta-...).")
                            .with(SITES_HEADER, e.getKey() + "=400");
                }
            }
            return null;
        });
    }

    /**
     * An account DELETE (when the operator allows it) only when no site holds a container of the
     * account: Swift marks the account deleted without looking, its reaper then empties every
     * container, and the name cannot be used again for {@code reclaim_age}.
     */
    private CompletableFuture<ClusterResponse> deleteAccount(ClusterRequest req, SwiftPath path, Placement placement,
                                                             Consistency consistency) {
        String here = fed.site().name();
        List<Site> others = placement.sites().stream().filter(s -> !s.name().equals(here)).toList();
        return headEverywhere(req, path, others).thenCompose(heads -> {
            ClusterResponse lh = heads.local();
            List<CompletableFuture<PeerClient.Result>> peerHeads = heads.peers();
            int st = lh.status();
            if (st == 401 || st == 403 || st == 404) {
                return apply(req, path, placement, consistency); // the local DELETE gives the real answer
            }
            if (!lh.is2xx()) {
                // not known to be empty here: never delete on a guess (the reaper would empty it)
                return done(ClusterResponse.swiftError(503, "autosync: cannot tell whether account "
                        + path.account() + " is empty at " + here + " (HEAD answered " + st + "); nothing was deleted")
                        .with(SITES_HEADER, here + "=" + st));
            }
            List<String> holding = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            List<String> header = new ArrayList<>();
            addContainers(here, lh, holding, header);
            for (int i = 0; i < others.size(); i++) {
                PeerClient.Result r = peerHeads.get(i).join();
                String name = others.get(i).name();
                if (r.response() != null && r.response().is2xx()) {
                    addContainers(name, r.response(), holding, header);
                } else if (r.response() != null && r.response().status() == 404) {
                    header.add(name + "=404"); // no account there: nothing to empty
                } else {
                    header.add(name + "=" + r.outcome().label());
                    unknown.add(name + " (" + r.outcome().label() + ")");
                }
            }
            if (!holding.isEmpty()) {
                return done(ClusterResponse.swiftError(409, "autosync: account " + path.account()
                        + " still holds containers at: " + String.join(", ", holding) + "; nothing was deleted")
                        .with(SITES_HEADER, String.join(", ", header)));
            }
            if (!unknown.isEmpty()) {
                return done(ClusterResponse.swiftError(503, "autosync: cannot tell whether account "
                        + path.account() + " is empty at: " + String.join(", ", unknown) + "; nothing was deleted")
                        .with(SITES_HEADER, String.join(", ", header)));
            }
            return apply(req, path, placement, consistency);
        });
    }

    private static void addContainers(String site, ClusterResponse head, List<String> holding, List<String> header) {
        String count = head.header("x-account-container-count");
        long n = count == null ? -1 : parseCount(count); // no count shown: not known to be empty
        if (n != 0) {
            holding.add(site + (n > 0 ? " (" + n + ")" : ""));
            header.add(site + "=not-empty");
        } else {
            header.add(site + "=" + head.status());
        }
    }

    /**
     * The local copy is empty, another is not (or cannot be read): keep every copy, record the
     * delete with a snapshot of the container's headers, and let the repair worker finish it.
     */
    private CompletableFuture<ClusterResponse> drain(SwiftPath path, Placement placement, ClusterResponse localHead,
                                                     List<String> full, List<String> unknown, List<String> header) {
        String here = fed.site().name();
        Map<String, String> snapshot = snapshotOf(localHead);
        RepairRecord drain = new RepairRecord(path.account(), path.container(), RepairOp.CONTAINER_DRAIN, here, here,
                stampNow(), Set.of(), snapshot);
        String what = "container " + path.account() + "/" + path.container();
        List<String> sites = header.stream().map(h -> h.endsWith("=not-empty") ? h.replace("=not-empty", "=draining") : h)
                .toList();
        return records.pendingFor(path.account(), path.container())
                .thenCompose(before -> records.record(List.of(drain)).thenCompose(written -> {
                    // a repeated DELETE starts the clock again; the earlier drains of this key are done with
                    List<CompletableFuture<Void>> gone = before.stream()
                            .filter(e -> e.record().op() == RepairOp.CONTAINER_DRAIN)
                            .map(e -> records.remove(e.name())).toList();
                    return CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new));
                }))
                .handle((ok, err) -> {
                    if (err != null) {
                        metrics.repairUnrecorded();
                        log.error("DELETE {}: the delete could not be recorded: {}", what,
                                ClusterClient.cause(err).getMessage());
                        return ClusterResponse.text(503, "autosync: " + what + " is not empty at every site and the "
                                + "delete could not be recorded; nothing was deleted, retry the request")
                                .with(SITES_HEADER, String.join(", ", sites));
                    }
                    List<String> why = new ArrayList<>(full);
                    unknown.forEach(u -> why.add(u + ", not readable now"));
                    return ClusterResponse.text(202, "autosync: " + what + " is being deleted. It is kept at every "
                            + "site until all copies read empty (" + String.join("; ", why) + "), so that sync "
                            + "can finish, then deleted everywhere. An object written after this delete, or a PUT or"
                            + " POST of the container, cancels it.")
                            .with(SITES_HEADER, String.join(", ", sites))
                            // repair carries the delete on at every site, this one last
                            .with(REPAIR_HEADER, String.join(", ", placement.names()));
                });
    }

    /** A container POST that changes nothing, with only the client's credentials. */
    private static ClusterRequest mayChange(ClusterRequest req) {
        Map<String, List<String>> h = new java.util.LinkedHashMap<>();
        for (String name : List.of("x-auth-token", "x-storage-token", "x-service-token", "authorization")) {
            if (req.headers().containsKey(name)) {
                h.put(name, req.headers().get(name));
            }
        }
        return new ClusterRequest("POST", req.pathWithQuery(), h, new byte[0]);
    }

    /** What a copy deleted too early is re-created with: the container's headers as they were. */
    private static Map<String, String> snapshotOf(ClusterResponse head) {
        Map<String, String> first = new TreeMap<>();
        head.headers().forEach((k, v) -> {
            if (!v.isEmpty()) {
                first.put(k, v.get(0));
            }
        });
        return ReplicatedHeaders.snapshot(first);
    }

    /**
     * Every copy read empty, but a site refused the DELETE (409: objects arrived there in
     * between) after this site's copy went. Swift syncs nothing into a deleted container, so the
     * copies already deleted are created again from the snapshot (with their sync headers) and
     * the delete goes on as a drain: nothing written at the refusing site is stranded.
     */
    private CompletableFuture<ClusterResponse> raceLost(SwiftPath path, Placement placement, ClusterResponse head,
                                                        List<SiteOutcome> outcomes, List<Site> refused) {
        Map<String, String> snapshot = snapshotOf(head);
        return clockStore.read(path.account(), path.container()).exceptionally(err -> Map.of())
                .thenCompose(clocks -> recreateAndDrain(path, placement, snapshot, clocks, outcomes, refused));
    }

    private CompletableFuture<ClusterResponse> recreateAndDrain(SwiftPath path, Placement placement,
                                                                Map<String, String> snapshot,
                                                                Map<String, ChangeClock> clocks,
                                                                List<SiteOutcome> outcomes, List<Site> refused) {
        List<CompletableFuture<ClusterResponse>> recreated = new ArrayList<>();
        // the values go with their clocks: a peer keeps its clocks of the deleted copy, and
        // would otherwise keep none of these headers
        String clockHeader = clocks.isEmpty() ? null : ChangeClock.formatAll(clocks);
        for (Site s : placement.sites()) {
            boolean deleted = outcomes.stream().anyMatch(o -> o.site().equals(s.name()) && o.kind() == SiteOutcome.Kind.OK);
            if (deleted) {
                Map<String, List<String>> h = new java.util.LinkedHashMap<>();
                snapshot.forEach((k, v) -> h.put(k, List.of(v)));
                ClusterRequest put = new ClusterRequest("PUT", "/v1/" + SwiftPath.quote(path.account()) + "/"
                        + SwiftPath.quote(path.container()), h, new byte[0]);
                ClusterRequest r = withSync(put, path, placement, s.name());
                recreated.add(sites.send(s, s.name().equals(fed.site().name()) ? r
                        : r.with(ClockHeaders.CLOCKS, clockHeader)).thenApply(resp -> {
                            if (!resp.is2xx()) {
                                log.error("{}/{}: re-creating the copy at {} answered {}; the drain goes on, "
                                        + "and reports a conflict if that copy's objects cannot drain",
                                        path.account(), path.container(), s.name(), resp.status());
                            }
                            return resp;
                        }));
            }
        }
        RepairRecord drain = new RepairRecord(path.account(), path.container(), RepairOp.CONTAINER_DRAIN,
                fed.site().name(), fed.site().name(), stampNow(), Set.of(), snapshot);
        String names = String.join(", ", refused.stream().map(Site::name).toList());
        List<String> header = outcomes.stream().map(o -> refused.stream().anyMatch(r -> r.name().equals(o.site()))
                ? o.site() + "=draining" : o.site() + "=recreated").toList();
        return CompletableFuture.allOf(recreated.toArray(CompletableFuture[]::new))
                .thenCompose(v -> records.record(List.of(drain)))
                .handle((ok, err) -> {
                    String what = "container " + path.account() + "/" + path.container();
                    if (err != null) {
                        metrics.repairUnrecorded();
                        log.error("DELETE {}: refused at {} after other copies went; not recorded: {}", what, names,
                                ClusterClient.cause(err).getMessage());
                        return ClusterResponse.text(503, "autosync: " + what + " is not empty at " + names
                                + " (objects arrived during the delete) and the delete could not be recorded; "
                                + "retry the request").with(SITES_HEADER, String.join(", ", header));
                    }
                    return ClusterResponse.text(202, "autosync: " + what + " is being deleted. Objects arrived at "
                            + names + " during the delete, so the copies already deleted were created again for sync "
                            + "to finish; it is deleted everywhere once all copies read empty.")
                            .with(SITES_HEADER, String.join(", ", header));
                });
    }

    /**
     * The local copy is gone: a DELETE repeated after an earlier one was accepted answers as the
     * record of that delete stands, and the repair worker carries it on at the other sites.
     */
    private CompletableFuture<ClusterResponse> pendingDelete(ClusterRequest req, SwiftPath path, Placement placement,
                                                             Consistency consistency) {
        return records.pendingFor(path.account(), path.container()).exceptionally(err -> List.of())
                .thenCompose(pending -> {
                    List<String> at = pending.stream().filter(e -> e.record().op().isDelete())
                            .flatMap(e -> e.record().op() == RepairOp.CONTAINER_DRAIN
                                    ? placement.names().stream().filter(n -> !n.equals(fed.site().name()))
                                    : java.util.stream.Stream.of(e.record().target()))
                            .distinct().toList();
                    if (at.isEmpty()) {
                        return apply(req, path, placement, consistency);
                    }
                    List<String> sites = new ArrayList<>(List.of(fed.site().name() + "=404"));
                    at.forEach(s -> sites.add(s + "=pending"));
                    return done(ClusterResponse.text(202, "autosync: container " + path.account() + "/"
                            + path.container() + " is deleted here; the delete is still being carried out at: "
                            + String.join(", ", at)).with(SITES_HEADER, String.join(", ", sites)));
                });
    }

    /** The clock of the replicated headers this request sets (none: it sets none). */
    private Map<String, ChangeClock> changeClocks(ClusterRequest req, SwiftPath path) {
        if (clockStore == null || req.method().equals("DELETE")) {
            return Map.of();
        }
        boolean container = path.kind() == SwiftPath.Kind.CONTAINER;
        ChangeClock now = new ChangeClock(stampNow(), fed.site().name());
        Map<String, ChangeClock> m = new TreeMap<>();
        for (String h : req.headers().keySet()) {
            String set = ReplicatedHeaders.setForm(h, container);
            if (set != null) {
                m.put(set, now);
            }
        }
        return m;
    }

    /**
     * A container DELETE applied here: its time is kept here, so that reconcile can tell a copy
     * that a site missed it at (and whose record was lost) from one made since. A failure is
     * logged, not the client's: the delete is applied.
     */
    private CompletableFuture<Void> recordDelete(SwiftPath path) {
        if (clockStore == null || path.kind() != SwiftPath.Kind.CONTAINER) {
            return CompletableFuture.completedFuture(null);
        }
        ChangeClock now = new ChangeClock(stampNow(), fed.site().name());
        return clockStore.recordDelete(path.account(), path.container(), now).exceptionally(err -> {
            log.warn("{}/{}: the delete's time was not stored ({}): a copy that misses it and loses its record "
                    + "comes back at reconcile", path.account(), path.container(), ClusterClient.cause(err).getMessage());
            return null;
        });
    }

    /** Stores the clocks here; a failure is logged, not the client's: the values are applied. */
    private CompletableFuture<Void> recordClocks(SwiftPath path, Map<String, ChangeClock> clocks) {
        if (clocks.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String container = path.kind() == SwiftPath.Kind.CONTAINER ? path.container() : "";
        return clockStore.recordAndDropOlder(path.account(), container, clocks).exceptionally(err -> {
            log.warn("{}{}: change clocks not stored ({}): a later conflict on these headers is settled without them",
                    path.account(), container.isEmpty() ? "" : "/" + container, ClusterClient.cause(err).getMessage());
            return null;
        });
    }

    private long stampNow() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static void addCount(String site, ClusterResponse head, List<String> full, List<String> header) {
        long n = parseCount(head.header("x-container-object-count"));
        if (n > 0) {
            full.add(site + " (" + n + (n == 1 ? " object)" : " objects)"));
            header.add(site + "=not-empty");
        } else {
            header.add(site + "=empty");
        }
    }

    private static long parseCount(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Sync headers for the container's copy at {@code site}: it syncs to the next site of the ring. */
    private ClusterRequest withSync(ClusterRequest req, SwiftPath path, Placement placement, String site) {
        if (path.kind() != SwiftPath.Kind.CONTAINER || !(req.method().equals("PUT") || req.method().equals("POST"))) {
            return req;
        }
        // this site's own copy: kept as it is when the change would point it at a site that is down
        // now; a peer's copy is the peer's to decide (its PeerApply puts its own target in)
        Optional<String> to = site.equals(fed.site().name())
                ? routes.targetForChange(placement, site, SwiftPath.quote(path.account()),
                        SwiftPath.quote(path.container()), req.method().equals("PUT"))
                : routes.syncTo(placement, site, SwiftPath.quote(path.account()), SwiftPath.quote(path.container()));
        if (to.isEmpty()) {
            return req;
        }
        return req.with("X-Container-Sync-To", to.get())
                .with("X-Container-Sync-Key", fed.syncKeys().keyFor(path.account(), path.container()));
    }

    /** The client's token goes only to a site that judges it itself (forward mode). */
    private ClusterRequest forPeer(Site site, ClusterRequest req) {
        ClusterRequest r = req;
        for (String h : NEVER_FOR_PEERS) {
            r = r.with(h, null);
        }
        if (fed.authMode(site.name()) != AuthMode.FORWARD) {
            for (String h : TOKENS) {
                r = r.with(h, null);
            }
        }
        return r;
    }

    /**
     * A bulk delete ({@code ?bulk-delete}, its names in the body): refused when it names a
     * container placed at several sites, else sent on to this site's Swift as it came. Objects
     * are deleted at this site and container-sync carries the deletes along the ring.
     */
    public CompletableFuture<ClusterResponse> bulkDelete(ClusterRequest req, SwiftPath path) {
        Admission.Refusal refused = Admission.checkBulkDelete(path,
                new String(req.body(), java.nio.charset.StandardCharsets.UTF_8),
                container -> fed.policy().decide(path.account(), container));
        if (refused != null) {
            metrics.refused(refused.reason());
            return done(refused.toResponse());
        }
        // Swift deletes the names one after the other (up to 10,000), keeping the connection alive
        // with whitespace meanwhile; the answer is whole only at the end
        return LocalCall.send(http, localCluster, req, localTimeout.compareTo(BULK_DELETE_TIME) > 0 ? localTimeout
                : BULK_DELETE_TIME);
    }

    private CompletableFuture<ClusterResponse> local(ClusterRequest req) {
        return LocalCall.send(http, localCluster, req, localTimeout);
    }

    private static CompletableFuture<ClusterResponse> done(ClusterResponse r) {
        return CompletableFuture.completedFuture(r);
    }
}
