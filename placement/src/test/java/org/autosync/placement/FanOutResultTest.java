package org.autosync.placement;

import static org.autosync.placement.TestSites.A;
import static org.autosync.placement.TestSites.B;
import static org.autosync.placement.TestSites.C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutResultTest {

    private static final Placement ONE = Placement.of(A);
    private static final Placement TWO = Placement.of(A, B);
    private static final Placement THREE = Placement.of(A, B, C);

    private static SiteOutcome ok(String site) {
        return SiteOutcome.ok(site, 201, Duration.ofMillis(5));
    }

    private static SiteOutcome down(String site) {
        return SiteOutcome.timeout(site, Duration.ofSeconds(2));
    }

    private static boolean satisfied(Placement p, Consistency c, SiteOutcome... outcomes) {
        return FanOutResult.judge(p, "a", List.of(outcomes), c).satisfied();
    }

    @Test
    void allNeedsEverySite() {
        assertTrue(satisfied(ONE, Consistency.ALL, ok("a")));
        assertFalse(satisfied(ONE, Consistency.ALL, down("a")));
        assertTrue(satisfied(TWO, Consistency.ALL, ok("a"), ok("b")));
        assertFalse(satisfied(TWO, Consistency.ALL, ok("a"), down("b")));
        assertTrue(satisfied(THREE, Consistency.ALL, ok("a"), ok("b"), ok("c")));
        assertFalse(satisfied(THREE, Consistency.ALL, ok("a"), ok("b"), down("c")));
    }

    @Test
    void quorumNeedsStrictMajority() {
        assertTrue(satisfied(ONE, Consistency.QUORUM, ok("a")));
        assertFalse(satisfied(ONE, Consistency.QUORUM, down("a")));
        // with two sites a majority is both
        assertTrue(satisfied(TWO, Consistency.QUORUM, ok("a"), ok("b")));
        assertFalse(satisfied(TWO, Consistency.QUORUM, ok("a"), down("b")));
        assertFalse(satisfied(TWO, Consistency.QUORUM, down("a"), ok("b")));
        assertTrue(satisfied(THREE, Consistency.QUORUM, ok("a"), ok("b"), down("c")));
        assertTrue(satisfied(THREE, Consistency.QUORUM, down("a"), ok("b"), ok("c")));
        assertFalse(satisfied(THREE, Consistency.QUORUM, ok("a"), down("b"), down("c")));
    }

    @Test
    void localNeedsOnlyTheLocalSite() {
        assertTrue(satisfied(ONE, Consistency.LOCAL, ok("a")));
        assertFalse(satisfied(ONE, Consistency.LOCAL, down("a")));
        assertTrue(satisfied(TWO, Consistency.LOCAL, ok("a"), down("b")));
        assertFalse(satisfied(TWO, Consistency.LOCAL, down("a"), ok("b")));
        assertTrue(satisfied(THREE, Consistency.LOCAL, ok("a"), down("b"), down("c")));
        assertFalse(satisfied(THREE, Consistency.LOCAL, down("a"), ok("b"), ok("c")));
    }

    @Test
    void localIsTheGivenSiteNotTheFirst() {
        var r = FanOutResult.judge(TWO, "b", List.of(down("a"), ok("b")), Consistency.LOCAL);
        assertTrue(r.satisfied());
    }

    @Test
    void httpErrorsCountAsFailures() {
        var r = FanOutResult.judge(TWO, "a",
                List.of(ok("a"), SiteOutcome.http("b", 404, Duration.ZERO)), Consistency.ALL);
        assertFalse(r.satisfied());
        assertEquals(List.of("b"), r.failedSites());
    }

    @Test
    void outcomesAreOrderedByPlacement() {
        var r = FanOutResult.judge(THREE, "b", List.of(down("c"), ok("a"), ok("b")), Consistency.QUORUM);
        assertEquals(List.of("a", "b", "c"), r.outcomes().stream().map(SiteOutcome::site).toList());
        assertEquals("a=201, b=201, c=timeout", r.sitesHeader());
        assertEquals(List.of("c"), r.failedSites());
    }

    @Test
    void sitesHeaderUsesLabels() {
        var r = FanOutResult.judge(Placement.of(C, A, B), "a", List.of(
                SiteOutcome.connectRefused("b", Duration.ZERO),
                SiteOutcome.http("a", 503, Duration.ZERO),
                SiteOutcome.authFailed("c", Duration.ZERO)), Consistency.ALL);
        assertEquals("c=auth-failed, a=503, b=connect-refused", r.sitesHeader());
        assertEquals(List.of("c", "a", "b"), r.failedSites());
    }

    @Test
    void clientStatus() {
        var met = FanOutResult.judge(TWO, "a", List.of(ok("a"), ok("b")), Consistency.ALL);
        assertEquals(201, met.clientStatus(201));
        assertEquals(202, met.clientStatus(202));
        var notMet = FanOutResult.judge(TWO, "a", List.of(ok("a"), down("b")), Consistency.ALL);
        assertEquals(503, notMet.clientStatus(201));
        var localOnly = FanOutResult.judge(TWO, "a", List.of(ok("a"), down("b")), Consistency.LOCAL);
        assertEquals(201, localOnly.clientStatus(201));
    }

    @Test
    void clientStatusWhenQuorumMetButLocalFailed() {
        var r = FanOutResult.judge(THREE, "a", List.of(
                SiteOutcome.http("a", 500, Duration.ZERO),
                SiteOutcome.ok("b", 204, Duration.ZERO),
                SiteOutcome.ok("c", 201, Duration.ZERO)), Consistency.QUORUM);
        assertTrue(r.satisfied());
        assertEquals(204, r.clientStatus(500));
    }

    @Test
    void describeNotMet() {
        var r = FanOutResult.judge(TWO, "a", List.of(ok("a"), down("b")), Consistency.ALL);
        assertEquals("""
                autosync: consistency 'all' not met: 1 of 2 sites applied the request
                a: 201 Created
                b: timeout after 2000 ms
                """, r.describe());
    }

    @Test
    void describeMetWithFailures() {
        var r = FanOutResult.judge(THREE, "a", List.of(ok("a"), down("b"), ok("c")), Consistency.QUORUM);
        String text = r.describe();
        assertTrue(text.startsWith("autosync: consistency 'quorum' met; not applied at: b\n"), text);
    }

    @Test
    void describeMentionsEachFailingSite() {
        var r = FanOutResult.judge(THREE, "a", List.of(
                ok("a"),
                SiteOutcome.connectRefused("b", Duration.ZERO),
                SiteOutcome.error("c", "TLS handshake failed", Duration.ZERO)), Consistency.ALL);
        assertEquals("""
                autosync: consistency 'all' not met: 1 of 3 sites applied the request
                a: 201 Created
                b: connection refused
                c: error: TLS handshake failed
                """, r.describe());
    }

    @Test
    void describeOtherKinds() {
        var r = FanOutResult.judge(Placement.of(A, B, C), "a", List.of(
                SiteOutcome.authFailed("a", Duration.ZERO),
                SiteOutcome.http("b", 503, Duration.ZERO),
                SiteOutcome.http("c", 460, Duration.ZERO)), Consistency.LOCAL);
        assertEquals("""
                autosync: consistency 'local' not met: 0 of 3 sites applied the request
                a: authentication failed
                b: 503 Service Unavailable
                c: 460
                """, r.describe());
    }

    @Test
    void describeAllGood() {
        var r = FanOutResult.judge(TWO, "a", List.of(ok("a"), ok("b")), Consistency.ALL);
        assertEquals("""
                autosync: consistency 'all' met: all 2 sites applied the request
                a: 201 Created
                b: 201 Created
                """, r.describe());
    }

    @Test
    void rejectsOutcomesThatDoNotMatchThePlacement() {
        assertThrows(IllegalArgumentException.class,
                () -> FanOutResult.judge(TWO, "a", List.of(ok("a")), Consistency.ALL));
        assertThrows(IllegalArgumentException.class,
                () -> FanOutResult.judge(TWO, "a", List.of(ok("a"), ok("b"), ok("c")), Consistency.ALL));
        assertThrows(IllegalArgumentException.class,
                () -> FanOutResult.judge(TWO, "a", List.of(ok("a"), ok("a")), Consistency.ALL));
        assertThrows(IllegalArgumentException.class,
                () -> FanOutResult.judge(TWO, "c", List.of(ok("a"), ok("b")), Consistency.ALL));
    }
}
