package org.autosync.placement;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether this site's copies sync past one peer site of their rings ({@link Route#AROUND}) or to
 * it as configured ({@link Route#THROUGH}), from the peer's health over time. Immutable; a pure
 * transition, so the rule is tested without sockets or clocks.
 *
 * <p>Routing around a site is not free: Swift resets a container's sync points when its
 * {@code X-Container-Sync-To} changes and checks every object against the new target again. So a
 * peer is routed around only once it has been down for {@code detourAfter} without a break, and
 * taken back only once it has been up for {@code returnAfter} without a break: a restart or a
 * flapping link costs no rewiring.
 *
 * @param route where the copies sync now
 * @param down  the peer's health at the last look
 * @param since when the peer last changed between up and down (or when watching began)
 */
public record RingDetour(Route route, boolean down, Instant since) {
    public enum Route { THROUGH, AROUND }

    public RingDetour {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(since, "since");
    }

    /** A peer taken to be up, the ring as configured, watched from {@code now}. */
    public static RingDetour watchedFrom(Instant now) {
        return new RingDetour(Route.THROUGH, false, now);
    }

    /**
     * After a look at the peer at {@code now}.
     *
     * @param detourAfter how long the peer must be down before it is routed around; zero: never
     * @param returnAfter how long it must be up again before it is taken back
     */
    public RingDetour after(boolean downNow, Instant now, Duration detourAfter, Duration returnAfter) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(detourAfter, "detourAfter");
        Objects.requireNonNull(returnAfter, "returnAfter");
        RingDetour d = downNow == down ? this : new RingDetour(route, downNow, now);
        Duration held = Duration.between(d.since, now);
        if (d.down && d.route == Route.THROUGH && !detourAfter.isZero() && held.compareTo(detourAfter) >= 0) {
            return new RingDetour(Route.AROUND, true, d.since);
        }
        if (!d.down && d.route == Route.AROUND && held.compareTo(returnAfter) >= 0) {
            return new RingDetour(Route.THROUGH, false, d.since);
        }
        return d;
    }

    public boolean isAround() {
        return route == Route.AROUND;
    }
}
