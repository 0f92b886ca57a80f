package org.autosync.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.autosync.proxy.config.HostPort;
import org.autosync.proxy.config.Settings;
import org.junit.jupiter.api.Test;

class StatusCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static final String HEALTHY = """
            {'site': 'a', 'sites': {'a': {'reachable': true}, 'b': {'reachable': true}},
             'repair': {'enabled': true, 'pending': 0, 'oldest_age_seconds': 0, 'sites': {}, 'conflicts': [],
                        'last_pass': '2026-11-28T12:00:00Z', 'last_pass_ms': 12,
                        'last_pass_outcomes': {}, 'last_error': null}}
            """;

    private static final String TROUBLED = """
            {'site': 'a', 'sites': {'a': {'reachable': true}, 'b': {'reachable': false, 'problem': 'connection refused'}},
             'repair': {'enabled': true, 'pending': 9, 'oldest_age_seconds': 200000,
                        'sites': {'b': {'pending': 9, 'oldest_age_seconds': 200000, 'stale': true}},
                        'conflicts': [{'key': 'AUTH_test/c', 'site': 'b', 'reason': 'b still holds 1 object'}],
                        'last_pass': '2026-11-28T12:00:00Z', 'last_pass_ms': 40,
                        'last_pass_outcomes': {'retry': 8, 'conflict': 1}, 'last_error': null}}
            """;

    @Test
    void healthyStatusReadsCleanAndNeedsNoAttention() throws Exception {
        JsonNode s = json(HEALTHY);
        String text = StatusCommand.render(s);
        assertTrue(text.startsWith("site a\n"), text);
        assertTrue(text.contains("b            reachable"), text);
        assertTrue(text.contains("repair: 0 pending\n"), text);
        assertTrue(text.contains("conflicts: 0"), text);
        assertFalse(StatusCommand.needsAttention(s));
    }

    @Test
    void aPeerRoutedAroundAndStartUpCheckFailuresAreShown() throws Exception {
        JsonNode s = json("""
                {'site': 'a', 'sites': {'a': {'reachable': true}, 'b': {'reachable': false, 'problem': 'timeout'},
                                        'c': {'reachable': true}},
                 'ring': {'peers': {'b': {'route': 'around', 'down_since': '2026-11-28T11:00:00Z'},
                                    'c': {'route': 'through', 'up_since': '2026-11-28T10:00:00Z'}}},
                 'startup_check': {'passed': 3, 'failed': [{'what': 'site b (its Autosync proxy): reachable',
                                   'detail': 'healthcheck: timeout', 'fix': 'autosync.sites.b.url'}]},
                 'repair': {'enabled': false}}
                """);
        String text = StatusCommand.render(s);
        assertTrue(text.contains("b            UNREACHABLE (timeout), ROUTED AROUND (down since 2026-11-28T11:00:00Z)"),
                text);
        assertTrue(text.contains("c            reachable\n"), text);
        assertTrue(text.contains("check at start-up: 1 failed\n  site b (its Autosync proxy): reachable: "
                + "healthcheck: timeout"), text);
    }

    @Test
    void aSiteNothingArrivedFromBySyncForTooLongIsOneThisSiteIsBehindThoughReachable() throws Exception {
        JsonNode s = json("""
                {'site': 'a', 'sites': {'a': {'reachable': true},
                                        'b': {'reachable': true, 'health': 'up', 'behind': true}},
                 'sync_lag_seconds': {'b->a': 691200.0},
                 'repair': {'enabled': true, 'pending': 0, 'oldest_age_seconds': 0, 'sites': {}, 'conflicts': [],
                            'last_pass': '2026-11-28T12:00:00Z', 'last_pass_ms': 12,
                            'last_pass_outcomes': {}, 'last_error': null}}
                """);
        String text = StatusCommand.render(s);
        assertTrue(text.contains("b            reachable, health up, BEHIND IT: nothing from b arrived here by sync"
                + " for 8 d, more than repair.stale-after; see README, Re-seeding a site\n"), text);
        assertTrue(StatusCommand.needsAttention(s), "no repair record, yet the site needs an operator");
        assertFalse(StatusCommand.needsAttention(json(HEALTHY.replace("'b': {'reachable': true}",
                "'b': {'reachable': true, 'behind': false}"))));
    }

    @Test
    void theLastReconcileIsShownAndItsConflictsNeedAttention() throws Exception {
        String withRun = HEALTHY.replace("'repair':", """
                'reconcile': {'interval_seconds': 3600, 'last_error': null,
                              'last': {'sync': {'updated': 3, 'unmodified': 40, 'failed': 0, 'conflicts': CONFLICTS},
                                       'containers': {'processed': 44, 'total': 44, 'repair_pending': 0, 'deleted': 1},
                                       'dry_run': false, 'started': '2026-11-28T11:00:00Z', 'seconds': 4.2,
                                       'requests': 90}},
                'repair':""");
        JsonNode clean = json(withRun.replace("CONFLICTS", "0"));
        String text = StatusCommand.render(clean);
        assertTrue(text.contains("reconcile: every 60 min\n  last run 2026-11-28T11:00:00Z (4 s): 44 containers,"
                + " updated 3 (deleted 1), unmodified 40, failed 0, conflicts 0\nrepair:"), text);
        assertFalse(StatusCommand.needsAttention(clean));
        JsonNode conflicted = json(withRun.replace("CONFLICTS", "1"));
        assertTrue(StatusCommand.render(conflicted).contains("conflicts 1\n  its conflicts are listed by:"
                + " autosync reconcile --config FILE --dry-run\n"), StatusCommand.render(conflicted));
        assertTrue(StatusCommand.needsAttention(conflicted));
        JsonNode none = json(HEALTHY.replace("'repair':",
                "'reconcile': {'interval_seconds': 3600, 'last': null, 'last_error': null}, 'repair':"));
        assertTrue(StatusCommand.render(none).contains("reconcile: every 60 min, no run yet\n"),
                StatusCommand.render(none));
        JsonNode secondReplica = json(HEALTHY.replace("'repair':", "'reconcile': {'interval_seconds': 3600,"
                + " 'runs': 'first-replica', 'last': null, 'last_error': null}, 'repair':"));
        assertTrue(StatusCommand.render(secondReplica).contains("reconcile: every 60 min by the site's first replica"
                + " (repair.worker-index 0), not this one\n"), StatusCommand.render(secondReplica));
        JsonNode repairOff = json(HEALTHY.replace("'repair':", "'reconcile': {'interval_seconds': 3600,"
                + " 'runs': 'off', 'last': null, 'last_error': null}, 'repair':"));
        assertTrue(StatusCommand.render(repairOff).contains("reconcile: off (repair is off)\n"),
                StatusCommand.render(repairOff));
    }

    @Test
    void downSiteBacklogStaleAndConflictsAreAllShown() throws Exception {
        JsonNode s = json(TROUBLED);
        String text = StatusCommand.render(s);
        assertTrue(text.contains("b            UNREACHABLE (connection refused)"), text);
        assertTrue(text.contains("repair: 9 pending, oldest 2 d"), text);
        assertTrue(text.contains("for b        9 pending, oldest 2 d  STALE"), text);
        assertTrue(text.contains("retry=8 conflict=1"), text);
        assertTrue(text.contains("AUTH_test/c at b: b still holds 1 object"), text);
        assertTrue(StatusCommand.needsAttention(s));
    }

    @Test
    void aProxyThatDoesNotAnswerIsExitOne() throws Exception {
        int closed;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            closed = ss.getLocalPort();
        }
        Settings settings = Settings.builder().localCluster(java.net.URI.create("http://127.0.0.1:1"))
                .adminListen(new HostPort("127.0.0.1", closed)).build();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StatusCommand.run(settings, false, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("no answer from the proxy's admin port"), text);
        assertFalse(text.contains("null"), "says what happened: " + text);
    }

    @Test
    void drainingDeletesAreShown() throws Exception {
        JsonNode s = json(HEALTHY.replace("'pending': 0,", "'pending': 1, 'draining_deletes': 1,"));
        String text = StatusCommand.render(s);
        assertTrue(text.contains("1 draining container delete(s): kept at every site until all copies read empty"),
                text);
        assertFalse(StatusCommand.render(json(HEALTHY)).contains("draining"));
    }
}
