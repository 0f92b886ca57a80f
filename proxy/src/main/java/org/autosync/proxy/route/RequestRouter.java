package org.autosync.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.PeerVerifier;
import org.autosync.auth.Verdict;
import org.autosync.proxy.exchange.AccessLog;
import org.autosync.proxy.exchange.BodyBudget;
import org.autosync.proxy.exchange.BufferedExchange;
import org.autosync.proxy.exchange.ClientExchange;
import org.autosync.proxy.exchange.ExchangeOwner;
import org.autosync.proxy.metrics.ProxyMetrics;
import org.autosync.proxy.server.ExchangeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.autosync.proxy.cluster.ClusterClient;
import org.autosync.proxy.cluster.ClusterRequest;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.federation.FanOutExecutor;
import org.autosync.proxy.federation.PeerApply;
import org.autosync.proxy.federation.PeerClient;
import org.autosync.proxy.tls.ServerTls;

/**
 * Decides how each request is served: streamed through (everything by default), fanned out
 * (a client's account/container PUT/POST/DELETE), applied for a verified peer, or refused (a peer
 * request that does not verify, or asks for more than a peer may).
 */
public final class RequestRouter implements ExchangeFactory {
    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);
    /**
     * A bulk delete's body, read whole before any of it goes on. Swift takes up to 10,000 names
     * by default; this holds 10,000 of 1,600 bytes each, far longer than names usually are.
     */
    private static final int MAX_BULK_DELETE_BODY = 16 << 20;

    private final ExchangeFactory passThrough;
    private final FanOutExecutor fanOut;       // null: single-site pass-through
    private final PeerVerifier verifier;       // null with fanOut
    private final PeerApply peerApply;         // null with fanOut
    private final boolean peerCertificates;
    private final int maxBody;
    private final BodyBudget budget;
    private final ProxyMetrics metrics;
    private final String reservedAccount;      // null: none (repair off)

    /** {@code reservedAccount}: the account of Autosync's repair records, refused to clients and peers. */
    public RequestRouter(ExchangeFactory passThrough, FanOutExecutor fanOut, PeerVerifier verifier,
                         PeerApply peerApply, int maxBody, BodyBudget budget, ProxyMetrics metrics,
                         String reservedAccount) {
        this(passThrough, fanOut, verifier, peerApply, maxBody, budget, metrics, reservedAccount, false);
    }

    /** {@code peerCertificates}: a peer request must come on a connection with a verified client certificate. */
    public RequestRouter(ExchangeFactory passThrough, FanOutExecutor fanOut, PeerVerifier verifier,
                         PeerApply peerApply, int maxBody, BodyBudget budget, ProxyMetrics metrics,
                         String reservedAccount, boolean peerCertificates) {
        this.peerCertificates = peerCertificates;
        this.passThrough = requireNonNull(passThrough, "passThrough");
        this.fanOut = fanOut;
        this.verifier = verifier;
        this.peerApply = peerApply;
        this.maxBody = maxBody;
        this.budget = requireNonNull(budget, "budget");
        this.metrics = requireNonNull(metrics, "metrics");
        this.reservedAccount = reservedAccount;
    }

    @Override
    public ClientExchange create(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner) {
        if (!request.uri().startsWith("/")) {
            // absolute form: Swift would act on the path, so everything here decides on it too
            request.setUri(SwiftPath.originForm(request.uri()));
        }
        if (reservedAccount != null && mayName(request.uri(), reservedAccount)
                && reservedAccount.equals(SwiftPath.parse(request.uri()).account())) {
            ClusterResponse answer = ClusterResponse.text(403, "autosync: account " + reservedAccount
                    + " is reserved for Autosync's repair records");
            return buffered(client, request, owner, req -> CompletableFuture.completedFuture(answer));
        }
        HttpHeaders h = request.headers();
        if (carriesPeerHeaders(h)) {
            return peerRequest(client, request, owner);
        }
        if (fanOut != null && SwiftPath.isBulkDelete(request.method().name(), request.uri())) {
            // the names to delete are in the body, relative to the account whatever the path
            // names after it: read whole (as Swift reads them) before any go
            SwiftPath path = SwiftPath.parse(request.uri());
            // never more than all bodies together may hold: a 413 that says so, not a 503 for ever
            return new BufferedExchange(client, request, owner, (int) Math.min(MAX_BULK_DELETE_BODY, budget.limit()),
                    budget, req -> fanOut.bulkDelete(req, path), metrics);
        }
        if (fanOut != null && isWrite(request.method())) {
            SwiftPath path = SwiftPath.parse(request.uri());
            // an archive upload writes objects: data for the sync daemons, streamed like any other
            if ((path.kind() == SwiftPath.Kind.ACCOUNT || path.kind() == SwiftPath.Kind.CONTAINER)
                    && !SwiftPath.isExtractArchive(request.method().name(), request.uri())) {
                return buffered(client, request, owner, req -> fanOut.execute(req, path));
            }
        }
        return passThrough.create(client, request, owner);
    }

    private ClientExchange peerRequest(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner) {
        if (verifier == null) {
            return refuse(client, request, owner, "no-sites",
                    "autosync: peer requests are not accepted here (no sites configured)");
        }
        if (peerCertificates && ServerTls.verifiedClient(client) == null) {
            // mutual TLS: the signature alone is not enough on this listener
            return refuse(client, request, owner, "no-client-certificate", "autosync: peer request rejected: "
                    + "this listener takes peer requests only with a client certificate signed by "
                    + "listen-tls.peer-client-ca-file");
        }
        Verdict v = verifier.verify(request.method().name(), request.uri(), request.headers()::get);
        if (!v.isVerified()) {
            return refuse(client, request, owner, category(v.reason()),
                    "autosync: peer request rejected: " + v.reason());
        }
        for (String token : request.headers().getAll(HttpHeaderNames.CONNECTION)) {
            for (String t : token.split(",")) {
                String name = t.strip().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("close") && !name.equals("keep-alive")) {
                    // hop-by-hop stripping would delete the header it names, signed or not
                    return refuse(client, request, owner, "malformed", "autosync: peer request rejected: "
                            + "Connection may only say close or keep-alive");
                }
            }
        }
        String unsigned = unsignedHeader(request.headers(), v.signedHeaders());
        if (unsigned != null) {
            // PeerClient signs everything it sends: this one was added on the way
            return refuse(client, request, owner, "unsigned-header", "autosync: peer request rejected: header "
                    + unsigned + " is not covered by the signature");
        }
        for (String name : v.signedHeaders()) {
            if (request.headers().getAll(name).size() > 1) {
                // the signature covered one copy; the cluster would see both
                return refuse(client, request, owner, "malformed", "autosync: peer request rejected: signed header "
                        + name + " repeated");
            }
        }
        SwiftPath path = SwiftPath.parse(request.uri());
        HttpMethod m = request.method();
        boolean allowedMethod = isWrite(m) || m.equals(HttpMethod.HEAD)
                || m.equals(HttpMethod.GET) && isJsonListing(request.uri());
        boolean allowedPath = path.kind() == SwiftPath.Kind.ACCOUNT || path.kind() == SwiftPath.Kind.CONTAINER;
        if (!allowedMethod || !allowedPath || SwiftPath.isBulk(request.uri())) {
            return refuse(client, request, owner, "forbidden-operation", "autosync: peer site " + v.site()
                    + " may only PUT, POST, DELETE or HEAD accounts and containers, or GET their JSON listings"
                    + " (no bulk operations)");
        }
        return buffered(client, request, owner, req -> peerApply.apply(req, v.signedHeaders()));
    }

    private ClientExchange refuse(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner,
                                  String category, String text) {
        metrics.peerRejected(category);
        log.warn("refused peer request {} {} from {}: {}", request.method(), AccessLog.safeUri(request.uri()),
                client.channel().remoteAddress(), text);
        ClusterResponse answer = ClusterResponse.text(403, text);
        return buffered(client, request, owner, req -> CompletableFuture.completedFuture(answer));
    }

    private BufferedExchange buffered(ChannelHandlerContext client, HttpRequest request, ExchangeOwner owner,
                                      Function<ClusterRequest, CompletableFuture<ClusterResponse>> op) {
        return new BufferedExchange(client, request, owner, maxBody, budget, op, metrics);
    }

    /**
     * Runs for every request, so it only looks for the plain name or an escape that might hide it;
     * a match is then parsed as Swift would read it.
     */
    static boolean mayName(String uri, String account) {
        return uri.indexOf('%') >= 0 || uri.contains(account);
    }

    /** Runs for every request: compares the names in place, without making Strings of them. */
    private static boolean carriesPeerHeaders(HttpHeaders h) {
        var it = h.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            if (name.length() >= PEER_PREFIX.length()
                    && AsciiString.regionMatches(name, true, 0, PEER_PREFIX, 0, PEER_PREFIX.length())) {
                return true;
            }
        }
        return false;
    }

    private static final AsciiString PEER_PREFIX = AsciiString.cached(PeerHeaders.PREFIX);

    /**
     * Headers a load balancer between two sites may add; they change nothing at Swift, so they are
     * let through unsigned (and dropped before the request reaches the cluster).
     */
    private static final Set<String> INFORMATIONAL = Set.of("forwarded", "via", "x-real-ip", "user-agent",
            "x-request-id");

    /** The first header (lower-case name) that is neither signed, framing, nor informational; null if none. */
    static String unsignedHeader(HttpHeaders headers, List<String> signedNames) {
        Set<String> signed = new HashSet<>(signedNames);
        for (Map.Entry<String, String> e : headers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!signed.contains(name) && !PeerHeaders.isPeerHeader(name) && !ClusterClient.isRestricted(name)
                    && !INFORMATIONAL.contains(name) && !name.startsWith("x-forwarded-")) {
                return name;
            }
        }
        return null;
    }

    /** Listing parameters a peer may use (repair and reconcile compare listings); nothing else. */
    private static final Set<String> LISTING_PARAMS = Set.of("format", "marker", "end_marker", "limit", "prefix",
            "delimiter", "reverse");

    /**
     * A GET that can only return a JSON listing: {@code format=json} and no parameter outside
     * the listing ones, so no middleware (symlink, SLO manifest, bulk) reads it as something else.
     */
    static boolean isJsonListing(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return false;
        }
        boolean json = false;
        for (String param : uri.substring(q + 1).split("&", -1)) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            if (!LISTING_PARAMS.contains(name)) {
                return false;
            }
            if (name.equals("format")) {
                if (json || !param.equals("format=json")) {
                    return false;
                }
                json = true;
            }
        }
        return json;
    }

    private static boolean isWrite(HttpMethod m) {
        return m.equals(HttpMethod.PUT) || m.equals(HttpMethod.POST) || m.equals(HttpMethod.DELETE);
    }

    /** Metric label for a refusal: a small fixed set, never text from the request. */
    static String category(String reason) {
        String r = reason == null ? "" : reason;
        if (r.startsWith("missing")) {
            return "missing-header";
        }
        if (r.startsWith("stale")) {
            return "stale";
        }
        if (r.startsWith("replayed")) {
            return "replayed";
        }
        if (r.startsWith("bad signature")) {
            return "bad-signature";
        }
        if (r.startsWith("header ")) {
            return "unsigned-header";
        }
        if (r.startsWith("unknown peer site")) {
            return "unknown-site";
        }
        return "malformed";
    }
}
