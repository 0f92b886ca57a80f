package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.autosync.placement.Placement;
import org.autosync.placement.Site;
import org.autosync.proxy.cluster.ClusterResponse;
import org.autosync.proxy.federation.Admission.Reason;
import org.autosync.proxy.federation.Admission.Refusal;
import org.autosync.proxy.route.SwiftPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The refusals Autosync gives before touching any site, case by case, without sockets. */
class AdmissionTest {
    private static final Site A = new Site("a", URI.create("http://a:1"), "a");
    private static final Site B = new Site("b", URI.create("http://b:1"), "b");
    private static final Placement BOTH = Placement.of(A, B);
    private static final Placement ONLY_A = Placement.of(A);
    private static final SwiftPath CONTAINER = SwiftPath.parse("/v1/AUTH_test/c");
    private static final SwiftPath ACCOUNT = SwiftPath.parse("/v1/AUTH_test");

    private static Refusal check(String method, SwiftPath path, Map<String, String> headers, Placement p,
                                 boolean allowAccountDelete) {
        return Admission.check(method, path, headers::get, p, 256, allowAccountDelete);
    }

    private static Refusal check(String method, SwiftPath path, Map<String, String> headers, Placement p) {
        return check(method, path, headers, p, false);
    }

    /** Containers named "one-*" are placed at a only, every other at a and b. */
    private static Refusal bulk(String body) {
        return Admission.checkBulkDelete(ACCOUNT, body, c -> c.startsWith("one-") ? ONLY_A : BOTH);
    }

    @Test
    void aBulkDeleteOfObjectsOrOfOneSiteContainersPasses() {
        assertNull(bulk("c/o1\nc/o2\n\n/c/dir/o3\r\n"));
        assertNull(bulk("one-c\none-d/\n/one-e"), "containers at this site only are Swift's to delete");
        assertNull(bulk("c//"), "an object named '/'");
        assertNull(bulk(""));
    }

    @Test
    void aBulkDeleteNamingAContainerAtSeveralSitesIsRefusedWhole() {
        for (String body : new String[] {"c/o\nc", "c/", "  /c  ", "c%2F", "%63", "one-x\nc", "c\r\n"}) {
            Refusal r = bulk(body);
            assertEquals(Reason.BULK_DELETE_CONTAINERS, r == null ? null : r.reason(), body);
            assertEquals(400, r.toResponse().status());
            assertTrue(r.message().contains("(c in AUTH_test)"), r.message());
            assertTrue(r.message().contains("Nothing was deleted"), r.message());
        }
        Refusal unreadable = Admission.checkBulkDelete(SwiftPath.parse("/v1/AUTH_test/%FF"), "c/o", c -> BOTH);
        assertEquals(Reason.BULK_DELETE_PATH, unreadable == null ? null : unreadable.reason(),
                "no account to check the names against");
        Refusal many = bulk("c1\nc2\nc3\nc4\nc5\nc6\nc7");
        assertTrue(many.message().contains("(c1, c2, c3, c4, c5 and 2 more in AUTH_test)"), many.message());
    }

    @Test
    void ordinaryChangesPass() {
        assertNull(check("PUT", CONTAINER, Map.of("x-container-meta-color", "blue"), BOTH));
        assertNull(check("POST", ACCOUNT, Map.of("x-account-meta-a", "1"), BOTH));
        assertNull(check("DELETE", CONTAINER, Map.of(), BOTH));
    }

    @Test
    void syncHeadersAreRefusedOnlyWhereAutosyncSyncs() {
        Refusal r = check("POST", CONTAINER, Map.of("x-container-sync-to", "//lab/b/AUTH_test/c"), BOTH);
        assertEquals(Reason.SYNC_HEADERS, r.reason());
        assertTrue(r.message().contains("managed by Autosync"), r.message());
        assertEquals(Reason.SYNC_HEADERS, check("PUT", CONTAINER, Map.of("x-container-sync-key", "k"), BOTH).reason());
        // a container at one site only is the owner's to sync, as on a plain Swift
        assertNull(check("POST", CONTAINER, Map.of("x-container-sync-to", "//lab/b/AUTH_test/c",
                "x-container-sync-key", "k"), ONLY_A));
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "1", "yes", "false", "0", ""})
    void versioningOnASyncedContainerIsRefusedInSwiftsWords(String value) {
        // Swift itself refuses X-Versions-Enabled on a synced container, whatever its value
        for (String method : new String[] {"PUT", "POST"}) {
            Refusal r = check(method, CONTAINER, Map.of("x-versions-enabled", value), BOTH);
            assertEquals(Reason.VERSIONING_ACROSS_SITES, r.reason(), method + " " + value);
            assertTrue(r.message().startsWith("Cannot enable object versioning on a container configured as "
                    + "source of container syncing."), r.message());
            assertTrue(r.message().contains("placed at [a, b]"), r.message());
        }
    }

    @Test
    void versioningOnAOneSiteContainerIsSwiftsToDecide() {
        assertNull(check("POST", CONTAINER, Map.of("x-versions-enabled", "true"), ONLY_A));
        assertNull(check("PUT", CONTAINER, Map.of("x-versions-enabled", "false"), ONLY_A));
    }

    @Test
    void legacyVersioningHeadersPass() {
        assertNull(check("POST", CONTAINER, Map.of("x-versions-location", "archive"), BOTH));
        assertNull(check("POST", CONTAINER, Map.of("x-history-location", "archive"), BOTH));
    }

    @Test
    void accountDeleteIsRefusedUnlessTheOperatorAllowsIt() {
        Refusal r = check("DELETE", ACCOUNT, Map.of(), BOTH);
        assertEquals(Reason.ACCOUNT_DELETE_DISABLED, r.reason());
        assertTrue(r.message().contains("fan-out.allow-account-delete"), r.message());
        ClusterResponse answer = r.toResponse();
        assertEquals(405, answer.status());
        assertTrue(answer.header("Allow").contains("POST"));
        assertNull(check("DELETE", ACCOUNT, Map.of(), BOTH, true));
    }

    @Test
    void overLongNamesOnPutOnly() {
        SwiftPath longName = SwiftPath.parse("/v1/AUTH_test/" + "x".repeat(257));
        Refusal r = check("PUT", longName, Map.of(), BOTH);
        assertEquals(Reason.NAME_TOO_LONG, r.reason());
        assertEquals("Container name length of 257 longer than 256", r.message());
        assertNull(check("POST", longName, Map.of(), BOTH));
        assertNull(Admission.check("PUT", longName, Map.<String, String>of()::get, BOTH, 0, false), "0: no check");
    }

    @Test
    void refusalsAreShapedLikeSwiftsErrors() {
        ClusterResponse r = check("PUT", SwiftPath.parse("/v1/AUTH_test/" + "x".repeat(300)), Map.of(), BOTH)
                .toResponse();
        assertEquals(400, r.status());
        // what Swift 2.30 answers for the same request, byte for byte
        assertEquals("text/html; charset=UTF-8", r.header("Content-Type"));
        assertEquals("Container name length of 300 longer than 256", new String(r.body(), StandardCharsets.UTF_8));
    }
}
