package org.autosync.placement;

import java.time.Duration;
import java.util.Objects;

/**
 * What happened when a fanned-out request was sent to one site.
 *
 * @param site    site name
 * @param kind    category of the outcome
 * @param status  HTTP status for {@link Kind#OK} and {@link Kind#HTTP_ERROR}, otherwise 0
 * @param detail  short reason for {@link Kind#ERROR}, otherwise empty; already made safe to put in a
 *                header or response body (single line, bounded length)
 * @param latency time from sending the request to the outcome
 */
public record SiteOutcome(String site, Kind kind, int status, String detail, Duration latency) {

    /**
     * {@code DOWN}: not tried, the site is known to be down (its circuit is open);
     * {@code PENDING}: sent, but not waited for ({@code local}); recorded for repair either way.
     */
    public enum Kind { OK, HTTP_ERROR, TIMEOUT, CONNECT_REFUSED, AUTH_FAILED, ERROR, DOWN, PENDING }

    static final int MAX_DETAIL = 120;

    public SiteOutcome {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency: negative");
        }
        boolean hasStatus = kind == Kind.OK || kind == Kind.HTTP_ERROR;
        if (hasStatus && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status: not an HTTP status: " + status);
        }
        if (kind == Kind.OK && !is2xx(status) && status != 404) {
            throw new IllegalArgumentException("status: OK outcome needs a 2xx (or 404 for a delete) status, not "
                    + status);
        }
        if (kind == Kind.HTTP_ERROR && is2xx(status)) {
            throw new IllegalArgumentException("status: HTTP_ERROR outcome cannot have 2xx status " + status);
        }
        if (!hasStatus && status != 0) {
            throw new IllegalArgumentException("status: must be 0 for " + kind);
        }
        detail = sanitize(detail);
    }

    public static SiteOutcome ok(String site, int status, Duration latency) {
        return new SiteOutcome(site, Kind.OK, status, "", latency);
    }

    /** OK for a 2xx status, HTTP_ERROR otherwise. */
    public static SiteOutcome http(String site, int status, Duration latency) {
        return new SiteOutcome(site, is2xx(status) ? Kind.OK : Kind.HTTP_ERROR, status, "", latency);
    }

    /** A delete that found nothing to delete: the site is in the state asked for. */
    public static SiteOutcome alreadyGone(String site, Duration latency) {
        return new SiteOutcome(site, Kind.OK, 404, "", latency);
    }

    public static SiteOutcome timeout(String site, Duration latency) {
        return new SiteOutcome(site, Kind.TIMEOUT, 0, "", latency);
    }

    public static SiteOutcome connectRefused(String site, Duration latency) {
        return new SiteOutcome(site, Kind.CONNECT_REFUSED, 0, "", latency);
    }

    public static SiteOutcome authFailed(String site, Duration latency) {
        return new SiteOutcome(site, Kind.AUTH_FAILED, 0, "", latency);
    }

    /** Not tried: the site's health checks say it is down. */
    public static SiteOutcome down(String site) {
        return new SiteOutcome(site, Kind.DOWN, 0, "", Duration.ZERO);
    }

    /** Sent and not waited for: the client asked for {@code local}, and the leg is recorded for repair. */
    public static SiteOutcome pending(String site) {
        return new SiteOutcome(site, Kind.PENDING, 0, "", Duration.ZERO);
    }

    /** Whether this outcome says the site itself is failing (not merely that it refused the request). */
    public boolean siteFailing() {
        return kind == Kind.TIMEOUT || kind == Kind.CONNECT_REFUSED || kind == Kind.ERROR
                || kind == Kind.HTTP_ERROR && (status == 502 || status == 503 || status == 504);
    }

    public static SiteOutcome error(String site, String shortReason, Duration latency) {
        return new SiteOutcome(site, Kind.ERROR, 0, shortReason, latency);
    }

    public boolean succeeded() {
        return kind == Kind.OK;
    }

    /** Compact form used in the per-site response header: status number or a fixed word. */
    public String label() {
        return switch (kind) {
            case OK, HTTP_ERROR -> Integer.toString(status);
            case TIMEOUT -> "timeout";
            case CONNECT_REFUSED -> "connect-refused";
            case AUTH_FAILED -> "auth-failed";
            case ERROR -> "error";
            case DOWN -> "down";
            case PENDING -> "pending";
        };
    }

    private static boolean is2xx(int status) {
        return status >= 200 && status <= 299;
    }

    // The reason often comes from an exception message; it ends up in headers and bodies,
    // so no control characters (header injection) and no unbounded length.
    private static String sanitize(String reason) {
        if (reason == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(reason.length(), MAX_DETAIL));
        for (int i = 0; i < reason.length() && sb.length() < MAX_DETAIL; i++) {
            char c = reason.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        return sb.toString().strip();
    }
}
