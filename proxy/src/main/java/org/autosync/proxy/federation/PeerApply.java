package org.autosync.proxy.federation;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.TreeMap;
import org.autosync.auth.PeerHeaders;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.placement.repair.ReplicatedHeaders;
import org.autosync.proxy.federation.repair.ChangeClocks;
import org.autosync.proxy.route.SwiftPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.cluster.LocalCall;

/**
 * A verified peer's request, applied at this site only. In override mode it runs as this site's
 * service identity: the peer's token means nothing here, so whatever token came along is dropped.
 * In forward mode (sites sharing one Keystone) the client's own token came along, and this site's
 * cluster judges it as it would judge the client.
 *
 * <p>This site's copies are its own to wire: the sync target a peer sends for a container is
 * replaced with the one this site's ring routes give, so a peer that does not (yet) know a site is
 * routed around never wires this site's copy back through it.
 */
public final class PeerApply {
    private static final Logger log = LoggerFactory.getLogger(PeerApply.class);
    private static final List<String> NEVER_APPLIED = List.of("authorization", "cookie");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final List<String> TOKENS = List.of("x-auth-token", "x-storage-token", "x-service-token");

    private final ClusterClient http;
    private final URI localCluster;
    private final LocalService service; // null: forward mode
    private final ChangeClocks clocks;  // null: repair off here, values are applied as they come
    private final org.autosync.proxy.federation.repair.RepairRecords records;
    private final Duration timeout;
    private final String site;
    private final OwnSyncTarget ownSyncTarget;

    /** The sync target this site gives its own copy of a container ({@code account}, {@code container} decoded). */
    public interface OwnSyncTarget {
        /** Whether Autosync wires this site's copy (placed here and at other sites): else the peer's value stays. */
        boolean wiresHere(String account, String container);

        /** The target for this site's copy in a change; empty: the copy keeps the target it has. */
        java.util.Optional<String> of(String account, String container, boolean create);
    }

    /** {@code service} null means forward mode. */
    public PeerApply(ClusterClient http, URI localCluster, LocalService service, ChangeClocks clocks,
                     org.autosync.proxy.federation.repair.RepairRecords records, Duration timeout,
                     String site, OwnSyncTarget ownSyncTarget) {
        this.records = Objects.requireNonNull(records, "records");
        this.ownSyncTarget = Objects.requireNonNull(ownSyncTarget, "ownSyncTarget");
        this.http = Objects.requireNonNull(http, "http");
        this.localCluster = Objects.requireNonNull(localCluster, "localCluster");
        this.service = service;
        this.clocks = clocks;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.site = Objects.requireNonNull(site, "site");
    }

    /**
     * Applies {@code req} with only the headers its signature covers. The router refuses requests
     * with meaningful unsigned headers; what is left here is what a load balancer adds
     * (X-Forwarded-For, Via ...), which Swift need not see either.
     */
    public CompletableFuture<ClusterResponse> apply(ClusterRequest req, Collection<String> signedHeaders) {
        CompletableFuture<ClusterResponse> applied = applySigned(req, signedHeaders);
        String account = changedAccount(req);
        return account == null ? applied : applied.whenComplete((resp, err) -> {
            if (resp != null && resp.is2xx()) {
                // the reconcile of every site covers the accounts it has seen changed, through its
                // own clients or a peer's: one changed only through b is reconciled at a too
                records.noteAccount(account);
            }
        });
    }

    /** The account a peer's PUT, POST or DELETE of an account or container changes; null for others. */
    private static String changedAccount(ClusterRequest req) {
        if (!Set.of("PUT", "POST", "DELETE").contains(req.method())) {
            return null;
        }
        try {
            SwiftPath path = SwiftPath.parse(req.pathWithQuery());
            return path.kind() == SwiftPath.Kind.ACCOUNT || path.kind() == SwiftPath.Kind.CONTAINER
                    ? path.account() : null;
        } catch (RuntimeException e) {
            return null; // not a Swift path: applying it answers for it
        }
    }

    private CompletableFuture<ClusterResponse> applySigned(ClusterRequest req, Collection<String> signedHeaders) {
        Set<String> signed = new HashSet<>(signedHeaders);
        ClusterRequest clean = req;
        List<String> unsigned = new ArrayList<>();
        for (String h : req.headers().keySet()) {
            if (!signed.contains(h) && !PeerHeaders.isPeerHeader(h) && !ClusterClient.isRestricted(h)) {
                unsigned.add(h);
                clean = clean.with(h, null);
            }
        }
        if (!unsigned.isEmpty()) {
            log.debug("site {}: dropped headers the peer's signature does not cover: {}", site, unsigned);
        }
        String clockText = clean.header(ClockHeaders.CLOCKS);
        boolean wantClocks = clean.header(ClockHeaders.WANT_CLOCKS) != null;
        String wantDeletes = clean.header(ClockHeaders.WANT_DELETES);
        boolean wantPending = clean.header(ClockHeaders.WANT_PENDING) != null;
        // aimed at the asker: the signed peer site, never a name the request could choose
        String pendingTo = clean.header(ClockHeaders.WANT_PENDING_TO_ME) != null ? clean.header(PeerHeaders.SITE)
                : null;
        String changedAt = clean.header(ClockHeaders.CHANGED_AT);
        clean = ClockHeaders.without(clean);
        SwiftPath path = SwiftPath.parse(clean.pathWithQuery());
        clean = ownSyncTarget(clean, path);
        boolean keyed = path.kind() == SwiftPath.Kind.ACCOUNT || path.kind() == SwiftPath.Kind.CONTAINER;
        if (wantDeletes != null && clean.method().equals("GET") && path.kind() == SwiftPath.Kind.ACCOUNT) {
            return deletes(path.account(), wantDeletes);
        }
        String account = keyed ? path.account() : null;
        String container = path.kind() == SwiftPath.Kind.CONTAINER ? path.container() : "";
        if (clocks == null || !keyed) {
            // repair off here: nothing is ever recorded (the records say none), so nothing is on
            // its way to the asker either
            return pendingTo != null && keyed && clean.method().equals("HEAD")
                    ? withPendingTo(apply(clean), account, container, pendingTo) : apply(clean);
        }
        if (clean.method().equals("HEAD")) {
            CompletableFuture<ClusterResponse> head = apply(clean);
            if (wantClocks) {
                head = head.thenCombine(clocks.read(account, container),
                        (resp, mine) -> resp.with(ClockHeaders.CLOCKS, ChangeClock.formatAll(mine)));
            }
            if (wantPending) {
                // unknown (the records could not be listed) leaves the header out: the asker decides
                head = head.thenCombine(records.mayHavePending(account, container).handle((p, e) -> e != null ? null : p),
                        (resp, p) -> p == null ? resp : resp.with(ClockHeaders.PENDING, p ? "1" : "0"));
            } else if (pendingTo != null) {
                head = withPendingTo(head, account, container, pendingTo);
            }
            return head;
        }
        Map<String, ChangeClock> incoming;
        try {
            incoming = ChangeClock.parseAll(clockText);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(ClusterResponse.text(400, "autosync: " + ClockHeaders.CLOCKS
                    + ": " + e.getMessage()));
        }
        if (changedAt == null || container.isEmpty() || clean.method().equals("DELETE")) {
            return conditional(clean, account, container, incoming);
        }
        long at;
        try {
            at = Long.parseLong(changedAt.trim());
        } catch (NumberFormatException e) {
            return CompletableFuture.completedFuture(ClusterResponse.text(400, "autosync: " + ClockHeaders.CHANGED_AT
                    + ": not a time in microseconds"));
        }
        // A repair's POST that carries only the change's time: nothing for Swift (a POST would move
        // the copy's put time, which a delete's repair reads as a change made after it)
        boolean onlyTheTime = clean.method().equals("POST") && clean.headers().keySet().stream()
                .allMatch(h -> PeerHeaders.isPeerHeader(h) || ClusterClient.isRestricted(h) || TOKENS.contains(h));
        CompletableFuture<ClusterResponse> applied = onlyTheTime
                ? CompletableFuture.completedFuture(new ClusterResponse(204, Map.of(), new byte[0]))
                : conditional(clean, account, container, incoming);
        return applied.thenCompose(resp -> !resp.is2xx() ? CompletableFuture.completedFuture(resp)
                : records.supersedeDrains(account, container, at).handle((names, err) -> {
                    if (err != null) {
                        // the sender records the leg, and its repair calls the delete off later
                        log.warn("site {}: a pending delete of {}/{} could not be called off: {}", site, account,
                                container, ClusterClient.cause(err).getMessage());
                        return ClusterResponse.text(503, "autosync: site " + site + " could not call off a pending"
                                + " delete of the container");
                    }
                    if (!names.isEmpty()) {
                        log.info("site {}: a later change of {}/{} called off the pending delete {}", site, account,
                                container, names);
                    }
                    return resp;
                }));
    }

    /**
     * {@code head} with {@link ClockHeaders#PENDING}: whether this site holds records of the key
     * aimed at {@code asker}; left out when the records cannot be listed (the asker then waits).
     */
    private CompletableFuture<ClusterResponse> withPendingTo(CompletableFuture<ClusterResponse> head, String account,
                                                             String container, String asker) {
        return head.thenCombine(records.pendingTo(account, container, asker).handle((p, e) -> {
            if (e != null) {
                log.warn("site {}: cannot tell {} whether changes of {}/{} are on their way to it: {}", site, asker,
                        account, container, ClusterClient.cause(e).getMessage());
                return null;
            }
            return p;
        }), (resp, p) -> p == null ? resp : resp.with(ClockHeaders.PENDING, p ? "1" : "0"));
    }

    /**
     * A page of the container deletes this site took in the account, as JSON {@code {"deletes":
     * {container: clock}, "next": marker or null}}; {@code marker} as {@link ClockHeaders#WANT_DELETES} says.
     */
    private CompletableFuture<ClusterResponse> deletes(String account, String marker) {
        String after;
        try {
            after = ClockHeaders.FIRST_PAGE.equals(marker.strip()) ? ""
                    : java.net.URLDecoder.decode(marker.strip(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(ClusterResponse.text(400, "autosync: "
                    + ClockHeaders.WANT_DELETES + ": not a marker: " + e.getMessage()));
        }
        // repair off here: no delete was ever recorded, and the answer says so
        CompletableFuture<ChangeClocks.DeletePage> listed = clocks == null
                ? CompletableFuture.completedFuture(new ChangeClocks.DeletePage(Map.of(), null))
                : clocks.deletes(account, after);
        return listed.handle((page, err) -> {
            if (err != null) {
                log.warn("site {}: the deletes of {} could not be listed: {}", site, account,
                        ClusterClient.cause(err).getMessage());
                return ClusterResponse.text(503, "autosync: site " + site + " cannot list its container deletes");
            }
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            Map<String, String> deletes = new TreeMap<>();
            page.deletes().forEach((c, clock) -> deletes.put(c, clock.toString()));
            body.put("deletes", deletes);
            body.put("next", page.next());
            try {
                return new ClusterResponse(200, Map.of("content-type", List.of("application/json")),
                        JSON.writeValueAsBytes(body));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private ClusterRequest ownSyncTarget(ClusterRequest req, SwiftPath path) {
        String sent = req.header(ReplicatedHeaders.SYNC_TO);
        if (sent == null || path.kind() != SwiftPath.Kind.CONTAINER
                || !ownSyncTarget.wiresHere(path.account(), path.container())) {
            return req;
        }
        java.util.Optional<String> mine = ownSyncTarget.of(path.account(), path.container(),
                req.method().equals("PUT"));
        if (mine.isEmpty()) {
            log.debug("site {}: {}/{} keeps its sync target (the one for this change names a site that is down)",
                    site, path.account(), path.container());
            return req.with(ReplicatedHeaders.SYNC_TO, null);
        }
        if (!mine.get().equals(sent)) {
            log.debug("site {}: sync target {} for {}/{} instead of the peer's {}", site, mine.get(), path.account(),
                    path.container(), sent);
        }
        return req.with(ReplicatedHeaders.SYNC_TO, mine.get());
    }

    /**
     * Applies only the replicated headers whose value here is not newer than what the peer sends
     * (by change clock; a value with no clock loses to one with a clock), then records the clocks
     * of what it applied: an older value that arrives late never overwrites a newer one.
     */
    private CompletableFuture<ClusterResponse> conditional(ClusterRequest req, String account, String container,
                                                          Map<String, ChangeClock> incoming) {
        boolean isContainer = !container.isEmpty();
        boolean replicated = req.headers().keySet().stream()
                .anyMatch(h -> ReplicatedHeaders.setForm(h, isContainer) != null);
        if (!replicated || req.method().equals("DELETE")) {
            return apply(req);
        }
        return clocks.read(account, container).thenCompose(mine -> {
            ClusterRequest r = req;
            Map<String, ChangeClock> applied = new TreeMap<>();
            List<String> kept = new ArrayList<>();
            for (String h : req.headers().keySet()) {
                String set = ReplicatedHeaders.setForm(h, isContainer);
                if (set == null) {
                    continue;
                }
                ChangeClock in = incoming.get(set);
                ChangeClock have = mine.get(set);
                if (have != null && (in == null || have.isNewerThan(in))) {
                    r = r.with(h, null);
                    kept.add(set);
                } else if (in != null) {
                    applied.put(set, in);
                }
            }
            if (!kept.isEmpty()) {
                log.info("site {}: kept the newer values of {} for {}/{}", site, kept, account, container);
            }
            return apply(r).thenCompose(resp -> !resp.is2xx() || applied.isEmpty()
                    ? CompletableFuture.completedFuture(resp)
                    : clocks.record(account, container, applied).handle((v, err) -> {
                        if (err != null) {
                            log.warn("site {}: change clocks for {}/{} not stored: {}", site, account, container,
                                    ClusterClient.cause(err).getMessage());
                        }
                        return resp;
                    }));
        }).exceptionally(err -> {
            Throwable t = ClusterClient.cause(err);
            if (t instanceof ChangeClocks.Unreadable u && u.answer().header(PeerClient.ERROR_HEADER) != null) {
                return u.answer(); // e.g. this site's own login failed: the peer sees auth-failed
            }
            // nothing applied: the sender records the leg, and its repair tries again
            return ClusterResponse.text(503, "autosync: site " + site + " cannot read its change clocks: "
                    + t.getClass().getSimpleName());
        });
    }

    private CompletableFuture<ClusterResponse> apply(ClusterRequest req) {
        ClusterRequest clean = req;
        for (String h : NEVER_APPLIED) {
            clean = clean.with(h, null);
        }
        for (String h : req.headers().keySet()) {
            if (PeerHeaders.isPeerHeader(h)) {
                clean = clean.with(h, null);
            }
        }
        if (service == null) {
            return LocalCall.send(http, localCluster, clean, timeout);
        }
        for (String h : TOKENS) {
            clean = clean.with(h, null);
        }
        return service.send(clean);
    }
}
