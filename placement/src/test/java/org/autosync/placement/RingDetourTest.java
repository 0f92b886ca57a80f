package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RingDetourTest {
    private static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");
    private static final Duration DETOUR = Duration.ofMinutes(10);
    private static final Duration BACK = Duration.ofMinutes(1);

    private static RingDetour look(RingDetour d, boolean down, long secondsAfterT0) {
        return d.after(down, T0.plusSeconds(secondsAfterT0), DETOUR, BACK);
    }

    @Test
    void aPeerDownForLessThanTheDelayIsStillSyncedThrough() {
        RingDetour d = look(RingDetour.watchedFrom(T0), true, 10);
        d = look(d, true, 10 + 599);
        assertEquals(RingDetour.Route.THROUGH, d.route());
        assertTrue(d.down());
    }

    @Test
    void aPeerDownForTheWholeDelayIsRoutedAround() {
        RingDetour d = look(RingDetour.watchedFrom(T0), true, 10);
        d = look(d, true, 610);
        assertTrue(d.isAround());
        assertEquals(T0.plusSeconds(10), d.since(), "down since the first look that saw it down");
    }

    @Test
    void aBreakInTheOutageStartsTheDelayAgain() {
        RingDetour d = look(RingDetour.watchedFrom(T0), true, 10);
        d = look(d, false, 300);
        d = look(d, true, 301);
        d = look(d, true, 610);
        assertFalse(d.isAround(), "down 309 s only since it came back once");
        d = look(d, true, 901);
        assertTrue(d.isAround());
    }

    @Test
    void aPeerRoutedAroundIsTakenBackOnlyAfterItStayedUp() {
        RingDetour d = look(look(RingDetour.watchedFrom(T0), true, 0), true, 600);
        assertTrue(d.isAround());
        d = look(d, false, 700);
        assertTrue(d.isAround(), "up for 0 s");
        d = look(d, true, 730);
        d = look(d, false, 740);
        d = look(d, false, 799);
        assertTrue(d.isAround(), "up 59 s since the last failure");
        d = look(d, false, 800);
        assertEquals(RingDetour.Route.THROUGH, d.route());
    }

    @Test
    void aZeroDelayNeverRoutesAround() {
        RingDetour d = RingDetour.watchedFrom(T0).after(true, T0, Duration.ZERO, BACK);
        d = d.after(true, T0.plus(Duration.ofDays(30)), Duration.ZERO, BACK);
        assertFalse(d.isAround());
    }

    @Test
    void aNewWatchStartsUpAndThrough() {
        RingDetour d = RingDetour.watchedFrom(T0);
        assertFalse(d.down());
        assertEquals(RingDetour.Route.THROUGH, look(d, false, 3600).route());
    }
}
