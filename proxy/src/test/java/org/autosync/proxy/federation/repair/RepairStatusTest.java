package org.autosync.proxy.federation.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.autosync.placement.repair.RepairAction;
import org.junit.jupiter.api.Test;

class RepairStatusTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    @Test
    void aSiteWhoseOldestRecordIsOlderThanStaleAfterIsFlagged() {
        long threeDaysAgo = micros(NOW.minus(Duration.ofDays(3)));
        long anHourAgo = micros(NOW.minus(Duration.ofHours(1)));
        RepairStatus s = new RepairStatus(true, 3, 3, 0, threeDaysAgo,
                Map.of("b", new RepairStatus.SiteBacklog(2, threeDaysAgo), "c", new RepairStatus.SiteBacklog(1, anHourAgo)),
                List.of(), NOW, Duration.ofMillis(5), Map.of(RepairAction.Kind.RETRY, 3), null, Duration.ofDays(2));
        Map<String, Object> m = s.toMap(NOW);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> sites = (Map<String, Map<String, Object>>) m.get("sites");
        assertEquals(true, sites.get("b").get("stale"));
        assertEquals(false, sites.get("c").get("stale"));
        assertEquals(259_200L, sites.get("b").get("oldest_age_seconds"));
        assertEquals(259_200L, m.get("oldest_age_seconds"));
        assertEquals(Map.of("retry", 3), m.get("last_pass_outcomes"));
        assertEquals(259_200.0, s.oldestAgeSeconds(NOW), "the gauge");
    }

    @Test
    void nothingPendingIsAgeZero() {
        RepairStatus s = RepairStatus.off();
        assertEquals(0.0, s.oldestAgeSeconds(NOW));
        assertEquals(false, s.toMap(NOW).get("enabled"));
    }
}
