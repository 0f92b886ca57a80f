package org.autosync.proxy.federation.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.placement.SyncTopology;
import org.autosync.proxy.config.RingSettings;
import org.junit.jupiter.api.Test;

class RingRoutesTest {
    private static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");
    private static final Placement ABC = Placement.of(site("a"), site("b"), site("c"));
    private final Set<String> down = new HashSet<>();
    private final RingRoutes routes = new RingRoutes(new SyncTopology("lab"), List.of("b", "c"),
            new RingSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 5), down::contains, T0);

    private static Site site(String n) {
        return new Site(n, URI.create("http://" + n + ".example:8080"), n);
    }

    private Set<String> lookAt(long seconds) {
        return routes.look(T0.plusSeconds(seconds));
    }

    @Test
    void aPeerDownLongEnoughIsRoutedAroundAndTheTargetsFollow() {
        assertEquals(Optional.of("//lab/b/AUTH_x/c1"), routes.syncTo(ABC, "a", "AUTH_x", "c1"));
        down.add("b");
        assertEquals(Set.of(), lookAt(1));
        assertEquals(Set.of(), lookAt(30), "down 29 s");
        assertEquals(Set.of("b"), lookAt(31));
        assertTrue(routes.isAround("b"));
        assertEquals(Optional.of("//lab/c/AUTH_x/c1"), routes.syncTo(ABC, "a", "AUTH_x", "c1"));
        assertEquals(Optional.of("//lab/a/AUTH_x/c1"), routes.syncTo(ABC, "c", "AUTH_x", "c1"));
        assertEquals(Optional.of("//lab/b/AUTH_x/c1"), routes.syncTo(ABC, "a", "AUTH_x", "c1", Set.of()),
                "the target before the change, for the rewirer to compare");
        assertEquals(Set.of(), lookAt(40), "a route changes once");
    }

    @Test
    void aPeerBackIsTakenBackAfterItStayedUp() {
        down.add("b");
        lookAt(0);
        lookAt(31);
        down.clear();
        assertEquals(Set.of(), lookAt(35));
        assertTrue(routes.isAround("b"));
        assertEquals(Set.of("b"), lookAt(45));
        assertFalse(routes.isAround("b"));
        assertEquals(Optional.of("//lab/b/AUTH_x/c1"), routes.syncTo(ABC, "a", "AUTH_x", "c1"));
    }

    @Test
    void aChangeToAnExistingCopyNeverPointsItAtASiteThatIsDownNow() {
        down.add("b"); // down, not yet routed around (just after a restart, say)
        lookAt(1);
        assertEquals(Optional.empty(), routes.targetForChange(ABC, "a", "AUTH_x", "c1", false),
                "a POST keeps the copy's target");
        assertEquals(Optional.of("//lab/b/AUTH_x/c1"), routes.targetForChange(ABC, "a", "AUTH_x", "c1", true),
                "a new copy is wired by the routes");
        assertEquals(Optional.of("//lab/a/AUTH_x/c1"), routes.targetForChange(ABC, "c", "AUTH_x", "c1", false),
                "c's copy syncs to a, which is up");
        lookAt(31);
        assertEquals(Optional.of("//lab/c/AUTH_x/c1"), routes.targetForChange(ABC, "a", "AUTH_x", "c1", false),
                "routed around b: c");
        down.add("c"); // c down too (not yet routed around): its target would be c
        assertEquals(Optional.empty(), routes.targetForChange(ABC, "a", "AUTH_x", "c1", false));
    }

    @Test
    void theSnapshotSaysEachPeersRouteAndSince() {
        down.add("c");
        lookAt(0);
        lookAt(30);
        assertEquals("around", routes.snapshot().get("c").get("route"));
        assertEquals(T0.toString(), routes.snapshot().get("c").get("down_since"));
        assertEquals("through", routes.snapshot().get("b").get("route"));
    }
}
