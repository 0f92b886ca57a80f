package org.autosync.proxy.federation;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.autosync.placement.Placement;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.route.SwiftPath;

/**
 * Which account and container changes Autosync refuses before any site is touched, and how the
 * refusal reads. A pure function over the request's method, path, headers and placement, so each
 * rule is tested without a socket.
 *
 * <p>Each refusal has Swift's status and, where Swift itself would refuse, Swift's body; the
 * others say why and what to do. All have Swift's Content-Type, so a client that compares error
 * answers sees one Swift.
 */
public final class Admission {
    /** Why a request is refused. */
    public enum Reason {
        /** A PUT of a name longer than Swift's limit: no site may create what another would refuse. */
        NAME_TOO_LONG(400),
        /** Client-set {@code X-Container-Sync-*} on a container Autosync syncs. */
        SYNC_HEADERS(400),
        /** Object versioning asked for on a container Autosync syncs: Swift allows one or the other. */
        VERSIONING_ACROSS_SITES(400),
        /** Account DELETE while {@code fan-out.allow-account-delete} is off. */
        ACCOUNT_DELETE_DISABLED(405),
        /** A bulk delete naming a container placed at several sites: it would go at this site only. */
        BULK_DELETE_CONTAINERS(400),
        /** A bulk delete on a path Autosync cannot read an account from. */
        BULK_DELETE_PATH(400);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** The metric label: the name, lower-case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A refusal: its reason and the body the client reads. */
    public record Refusal(Reason reason, String message) {
        public Refusal {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }

        /** The answer, shaped as Swift shapes its own errors. */
        public ClusterResponse toResponse() {
            ClusterResponse r = ClusterResponse.swiftError(reason.status(), message);
            return reason == Reason.ACCOUNT_DELETE_DISABLED ? r.with("Allow", "HEAD, GET, PUT, POST, OPTIONS") : r;
        }
    }

    private Admission() {
    }

    /**
     * Null when {@code method} on {@code path} may go on, else why not. {@code header} reads one
     * request header by its lower-case name; {@code placement} is the key's placement.
     */
    public static Refusal check(String method, SwiftPath path, Function<String, String> header, Placement placement,
                                int maxNameLength, boolean allowAccountDelete) {
        boolean container = path.kind() == SwiftPath.Kind.CONTAINER;
        boolean synced = container && placement.size() > 1;
        if (method.equals("PUT")) {
            Refusal r = nameTooLong(path, container, maxNameLength);
            if (r != null) {
                return r;
            }
        }
        if (synced && (header.apply("x-container-sync-to") != null || header.apply("x-container-sync-key") != null)) {
            return new Refusal(Reason.SYNC_HEADERS, "autosync: container sync of " + path.container()
                    + " is managed by Autosync (placed at " + placement + "); do not send X-Container-Sync-To "
                    + "or X-Container-Sync-Key");
        }
        // Swift refuses X-Versions-Enabled on a synced container whatever its value, false too
        if (synced && (method.equals("PUT") || method.equals("POST")) && header.apply("x-versions-enabled") != null) {
            return new Refusal(Reason.VERSIONING_ACROSS_SITES, "Cannot enable object versioning on a container "
                    + "configured as source of container syncing. autosync: " + path.container() + " is placed at "
                    + placement + " and kept in step by container sync, which Swift does not combine with "
                    + "X-Versions-Enabled; use a container placed at one site only, or X-History-Location");
        }
        if (!container && path.kind() == SwiftPath.Kind.ACCOUNT && method.equals("DELETE") && !allowAccountDelete) {
            return new Refusal(Reason.ACCOUNT_DELETE_DISABLED, "autosync: an account DELETE would start Swift's "
                    + "account reaper at every site of " + placement + ", on containers placed elsewhere too; "
                    + "it is turned off (fan-out.allow-account-delete). Delete the containers, then ask the operator");
        }
        return null;
    }

    /**
     * Null when a bulk delete ({@code ?bulk-delete}) on {@code path} may go on, else why not.
     * Its body names objects and containers, one per line, as Swift reads them: stripped,
     * unquoted, relative to the path's account (what follows the account in the path is ignored). A container placed at several sites must not be deleted at this site alone:
     * Swift's container-sync would stop there and the other copies stay (reconcile would even
     * bring this one back), so such a container is deleted only with a container DELETE.
     */
    public static Refusal checkBulkDelete(SwiftPath path, String body, Function<String, Placement> placementOf) {
        if (path.kind() == SwiftPath.Kind.OTHER) {
            // Swift's bulk would still read an account from it: Autosync cannot, so cannot check it
            return new Refusal(Reason.BULK_DELETE_PATH, "autosync: a bulk delete goes to /v1/ACCOUNT?bulk-delete,"
                    + " with a path that decodes to UTF-8; nothing was deleted");
        }
        String account = path.account();
        java.util.Set<String> spread = new java.util.TreeSet<>();
        for (String line : body.split("\n")) {
            String name = SwiftPath.unquote(line.strip());
            while (name.startsWith("/")) {
                name = name.substring(1);
            }
            int slash = name.indexOf('/');
            String container = slash < 0 ? name : name.substring(0, slash);
            boolean wholeContainer = slash < 0 || slash == name.length() - 1;
            if (!container.isEmpty() && wholeContainer && placementOf.apply(container).size() > 1) {
                spread.add(container);
            }
        }
        if (spread.isEmpty()) {
            return null;
        }
        List<String> shown = spread.stream().limit(5).toList();
        return new Refusal(Reason.BULK_DELETE_CONTAINERS, "autosync: a bulk delete cannot delete containers "
                + "placed at several sites (" + String.join(", ", shown) + (spread.size() > shown.size()
                        ? " and " + (spread.size() - shown.size()) + " more" : "") + " in " + account
                + "): their copies are deleted across the sites only by a container DELETE, which waits for sync"
                + " to drain them. Nothing was deleted; delete the objects in bulk, then each container with"
                + " DELETE.");
    }

    private static Refusal nameTooLong(SwiftPath path, boolean container, int max) {
        if (max <= 0) {
            return null;
        }
        String name = container ? path.container() : path.account();
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length <= max) {
            return null;
        }
        // Swift's own words, so that a client sees the answer its Swift would give
        return new Refusal(Reason.NAME_TOO_LONG,
                (container ? "Container" : "Account") + " name length of " + length + " longer than " + max);
    }
}
