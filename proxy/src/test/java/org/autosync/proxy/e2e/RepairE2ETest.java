package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Convergence on the real lab: site b is away (its proxy down, so every leg from a to b fails
 * with connection refused), clients change containers through a with consistency local, proxy
 * a is stopped and started again, then b comes back. With no manual step, b catches up.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class RepairE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static final String JOURNAL = "/v1/AUTH_autosync/autosync-repairs";
    private static final Duration REPAIR_INTERVAL = Duration.ofSeconds(1);
    /** The bound is two repair intervals; the lab's proxies and Swift add their own seconds. */
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final List<AutosyncProxy> running = new ArrayList<>();
    private int portA;
    private int portB;
    private String urlA;
    private String urlB;

    @BeforeAll
    static void labUp() {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
    }

    @BeforeEach
    void ports() throws IOException {
        int[] p = FanOutE2ETest.freePorts(2);
        portA = p[0];
        portB = p[1];
        urlA = "http://127.0.0.1:" + portA;
        urlB = "http://127.0.0.1:" + portB;
        purgeJournal(SWIFT_A);
        purgeJournal(SWIFT_B);
    }

    @AfterEach
    void stopAndClean() {
        for (AutosyncProxy p : running) {
            p.close();
        }
        running.clear();
        purgeJournal(SWIFT_A);
        purgeJournal(SWIFT_B);
        SWIFT_A.cleanup();
        SWIFT_B.cleanup();
    }

    private AutosyncProxy start(String site) {
        return start(site, "");
    }

    private AutosyncProxy start(String site, String extra) {
        int port = site.equals("a") ? portA : portB;
        int swift = site.equals("a") ? SWIFT_A.port() : SWIFT_B.port();
        Settings s = Settings.fromConfig(ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(
                        "autosync.repair.interval = " + REPAIR_INTERVAL.toMillis() + "ms\n"
                        // the lab syncs every 5 s
                        + "autosync.deletes { sync-interval = 6s, deadline = 2m }"))
                .withFallback(FanOutE2ETest.hocon(site, port, swift, urlA, urlB,
                        "repair-e2e-sync-key-secret-0123", "repair-e2e-peer-secret-456789ab")));
        try {
            AutosyncProxy p = AutosyncProxy.start(s);
            running.add(p);
            return p;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void stop(AutosyncProxy p) {
        p.close();
        running.remove(p);
    }

    @Test
    void changesMadeWhileBWasAwayReachBOnceItIsBackAcrossARestartOfProxyA() throws Exception {
        AutosyncProxy a = start("a");
        AutosyncProxy b = start("b");
        // containers that existed at both sites before b went away
        String posted = name("posted");
        String removedMeta = name("unmeta");
        String deleted = name("deleted");
        for (String c : List.of(posted, removedMeta, deleted)) {
            HttpResponse<byte[]> r = via(a, "PUT", containerPath(c), "X-Container-Meta-Old", "yes");
            assertEquals("a=201, b=201", header(r, "X-Autosync-Sites"), text(r));
        }
        stop(b); // site b is away from here on

        int fresh = 6;
        List<String> created = new ArrayList<>();
        for (int i = 0; i < fresh; i++) {
            String c = name("new" + i);
            HttpResponse<byte[]> r = via(a, "PUT", containerPath(c), "X-Container-Meta-N", Integer.toString(i),
                    "X-Autosync-Consistency", "local");
            assertEquals(201, r.statusCode(), text(r));
            assertTrue(header(r, "X-Autosync-Sites").matches("a=201, b=(connect-refused|pending|down)"),
                    header(r, "X-Autosync-Sites"));
            assertEquals("b", header(r, "X-Autosync-Repair-Pending"), "recorded before the answer");
            created.add(c);
            if (i == fresh / 2) {
                // a crash of proxy a in the middle: what it recorded is in Swift, not in its memory
                stop(a);
                a = start("a");
            }
        }
        assertEquals(204, via(a, "POST", containerPath(posted), "X-Container-Meta-Color", "blue",
                "X-Autosync-Consistency", "local").statusCode());
        assertEquals(204, via(a, "POST", containerPath(removedMeta), "X-Remove-Container-Meta-Old", "x",
                "X-Autosync-Consistency", "local").statusCode());
        HttpResponse<byte[]> del = via(a, "DELETE", containerPath(deleted), "X-Autosync-Consistency", "local");
        assertEquals(202, del.statusCode(), "b cannot be read, so every copy is kept until it can: " + text(del));
        assertTrue(header(del, "X-Autosync-Sites").matches("a=empty, b=(connect-refused|down)"),
                header(del, "X-Autosync-Sites"));
        assertEquals(204, SWIFT_A.head(containerPath(deleted)).statusCode(), "kept at a while b is away");

        a.federation().repairWorker().passNow();
        assertEquals(fresh + 3, pendingAt(a), "every missed leg is recorded and listed in status");
        JsonNode atB = status(a).path("repair").path("sites").path("b");
        assertEquals(fresh + 2, atB.path("pending").asInt(), atB.toString());
        assertEquals(1, status(a).path("repair").path("draining_deletes").asInt(), "the delete waits for b");
        assertEquals(false, status(a).path("sites").path("b").path("reachable").asBoolean(), "b is down");
        assertEquals(404, SWIFT_B.head(containerPath(created.get(0))).statusCode(), "b really missed them");

        start("b"); // b is back; nobody does anything else
        for (int i = 0; i < fresh; i++) {
            String c = created.get(i);
            HttpResponse<byte[]> h = SWIFT_B.awaitHead(containerPath(c), r -> r.statusCode() == 204, CATCH_UP);
            assertEquals(204, h.statusCode(), c + " created at b");
            assertEquals(Integer.toString(i), header(h, "X-Container-Meta-N"), c + " metadata at b");
            assertEquals("//lab/a/AUTH_test/" + c, header(h, "X-Container-Sync-To"), c + " syncs back to a");
            assertNotNull(header(h, "X-Container-Sync-Key"), c + " has its sync key at b");
        }
        assertEquals("blue", header(SWIFT_B.awaitHead(containerPath(posted),
                r -> "blue".equals(header(r, "X-Container-Meta-Color")), CATCH_UP), "X-Container-Meta-Color"));
        assertEquals(null, header(SWIFT_B.awaitHead(containerPath(removedMeta),
                r -> header(r, "X-Container-Meta-Old") == null, CATCH_UP), "X-Container-Meta-Old"));
        assertEquals(404, SWIFT_B.awaitHead(containerPath(deleted), r -> r.statusCode() == 404, CATCH_UP)
                .statusCode(), "the delete reached b");
        assertEquals(404, SWIFT_A.awaitHead(containerPath(deleted), r -> r.statusCode() == 404, CATCH_UP)
                .statusCode(), "and a, once both copies read empty twice");
        AutosyncProxy proxyA = a;
        await(() -> pendingAt(proxyA) == 0, "status shows 0 pending at a");
    }

    @Test
    void objectsWrittenAtBAfterTheDeleteAreKeptAndReportedAsAConflict() throws Exception {
        AutosyncProxy a = start("a");
        AutosyncProxy b = start("b");
        String c = name("conflict");
        assertEquals("a=201, b=201", header(via(a, "PUT", containerPath(c)), "X-Autosync-Sites"));
        stop(b);
        HttpResponse<byte[]> del = via(a, "DELETE", containerPath(c));
        assertEquals(202, del.statusCode(), text(del));
        // written straight at b while a and b could not talk
        assertEquals(201, SWIFT_B.put(objectPath(c, "late"), "kept".getBytes(StandardCharsets.UTF_8)).statusCode());
        start("b");
        AutosyncProxy seenBy = a;
        await(() -> peerUp(seenBy, "b"), "a's health checks see b again"); // till then a's record waits
        a.federation().repairWorker().passNow();
        JsonNode repair = status(a).path("repair");
        assertEquals(1, repair.path("conflicts").size(), repair.toString());
        JsonNode conflict = repair.path("conflicts").get(0);
        assertEquals("AUTH_test/" + c, conflict.path("key").asText());
        assertTrue(conflict.path("reason").asText().contains("written at b after the delete"), conflict.toString());
        assertEquals(List.of("late"), SWIFT_B.listObjects(c), "nothing was deleted at b");
        assertEquals(204, SWIFT_A.head(containerPath(c)).statusCode(), "nor at a");
        assertEquals(1, pendingAt(a), "the record stays until the conflict is resolved");
        a.federation().repairWorker().passNow();
        assertEquals(List.of("late"), SWIFT_B.listObjects(c), "a second pass decides the same");
    }

    /**
     * The case a single Swift answers 204 and a pair answered 409 until sync caught up: every
     * object deleted through a, then the container. a's container-sync daemon is paused, so b
     * still holds the objects when the DELETE arrives (no luck with the lab's 5 s sync).
     */
    @Test
    void aContainerEmptiedThroughAIsDeletedEverywhereOnceSyncHasDrainedB() throws Exception {
        AutosyncProxy a = start("a");
        start("b");
        String c = name("drain");
        assertEquals("a=201, b=201", header(via(a, "PUT", containerPath(c)), "X-Autosync-Sites"));
        for (int i = 0; i < 3; i++) {
            assertEquals(201, via(a, "PUT", objectPath(c, "o" + i), "Content-Type", "text/plain").statusCode());
        }
        await(() -> SWIFT_B.listObjects(c).size() == 3, "the objects reached b");
        try (LabDaemon sync = LabDaemon.pause("a", "container-sync")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(204, via(a, "DELETE", objectPath(c, "o" + i)).statusCode());
            }
            HttpResponse<byte[]> del = via(a, "DELETE", containerPath(c));
            assertEquals(202, del.statusCode(), "never a 409 that only waiting for sync would cure: " + text(del));
            assertEquals("a=empty, b=draining", header(del, "X-Autosync-Sites"));
            assertTrue(text(del).contains("b (3 objects)"), text(del));
            a.federation().repairWorker().passNow();
            assertEquals(3, SWIFT_B.listObjects(c).size(), "b keeps its copy while a's sync is paused");
            assertEquals(204, SWIFT_A.head(containerPath(c)).statusCode(), "a keeps its copy for sync to run");
        }
        assertEquals(404, SWIFT_B.awaitHead(containerPath(c), r -> r.statusCode() == 404, Duration.ofSeconds(60))
                .statusCode(), "gone at b once sync drained it");
        assertEquals(404, SWIFT_A.awaitHead(containerPath(c), r -> r.statusCode() == 404, CATCH_UP).statusCode(),
                "gone at a");
        AutosyncProxy proxyA = a;
        await(() -> pendingAt(proxyA) == 0, "nothing pending at a");
        assertEquals("a", a.federation().changeClocks().deletes("AUTH_test", "").get().deletes().get(c).site(),
                "the finished drain's time is kept at a, for reconcile");
    }

    /**
     * The other half of the delete semantics: an object written at b that b's container-sync has
     * not carried to a yet (b's sync daemon is paused, so it cannot arrive before the DELETE), and
     * the container deleted through a, where it reads empty. Deleting a's copy would strand the
     * object (Swift's sync into a deleted container fails); a's copy is kept, the object reaches
     * it once b's sync runs again, and nothing is deleted anywhere.
     */
    @Test
    void anObjectNotYetSyncedFromBKeepsACopyItCanSyncInto() throws Exception {
        AutosyncProxy a = start("a");
        start("b");
        String c = name("unsynced");
        assertEquals("a=201, b=201", header(via(a, "PUT", containerPath(c)), "X-Autosync-Sites"));
        try (LabDaemon sync = LabDaemon.pause("b", "container-sync")) {
            assertEquals(201, SWIFT_B.put(objectPath(c, "only-at-b"), "kept".getBytes(StandardCharsets.UTF_8))
                    .statusCode());
            HttpResponse<byte[]> del = via(a, "DELETE", containerPath(c));
            assertEquals(202, del.statusCode(), "a reads empty, b does not: " + text(del));
            assertEquals("a=empty, b=draining", header(del, "X-Autosync-Sites"));
            a.federation().repairWorker().passNow();
            assertEquals(List.of("only-at-b"), SWIFT_B.listObjects(c), "b keeps its object");
            assertEquals(204, SWIFT_A.head(containerPath(c)).statusCode(), "a keeps its copy for b's sync");
            assertEquals(List.of(), SWIFT_A.listObjects(c), "the object has not reached a yet");
        }
        await(() -> SWIFT_A.listObjects(c).equals(List.of("only-at-b")), "b's sync carried the object into a's copy");
        a.federation().repairWorker().passNow();
        assertEquals(List.of("only-at-b"), SWIFT_B.listObjects(c), "nothing was deleted at b");
        assertEquals(List.of("only-at-b"), SWIFT_A.listObjects(c), "nor at a");
        assertEquals(1, pendingAt(a), "the delete waits (and is abandoned at its deadline), it is not forgotten");
    }

    /**
     * A container deleted through a while b still held an object (202, draining), then PUT again
     * through a or POSTed through b: as on a single Swift, the later change wins. The drain is
     * called off, and once sync has emptied b and a sync pass has gone by, both copies are still
     * there with the new metadata.
     */
    @Test
    void aContainerChangedAfterItsDeleteIsKeptAsOnASingleSwift() throws Exception {
        AutosyncProxy a = start("a");
        AutosyncProxy b = start("b");
        String putAgain = drainingAfterDelete(a, "put-again");
        assertEquals(202, via(a, "PUT", containerPath(putAgain), "X-Container-Meta-Gen", "2").statusCode());
        String postedAtB = drainingAfterDelete(a, "posted-at-b");
        HttpResponse<byte[]> post = viaB(b, "POST", containerPath(postedAtB), "X-Container-Meta-Gen", "2");
        assertEquals(204, post.statusCode(), text(post));
        assertEquals("a=204, b=204", header(post, "X-Autosync-Sites"));

        a.federation().repairWorker().passNow();
        assertEquals(0, pendingAt(a), "both drains were called off");
        for (String c : List.of(putAgain, postedAtB)) {
            await(() -> SWIFT_B.listObjects(c).isEmpty(), "sync carried the object delete to b");
        }
        Thread.sleep(7_000); // more than deletes.sync-interval: a drain would have read both empty twice by now
        a.federation().repairWorker().passNow();
        for (String c : List.of(putAgain, postedAtB)) {
            for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
                HttpResponse<byte[]> head = s.head(containerPath(c));
                assertEquals(204, head.statusCode(), c + " kept at " + s);
                assertEquals("2", header(head, "X-Container-Meta-Gen"), c + " at " + s);
            }
        }
    }

    /**
     * A client's POST through b after the delete, whose leg to a did not arrive: b applied it and
     * holds the record that a must get it (the replica of b owning the key is not running yet). Once sync has emptied
     * b and a sync pass has gone by, every copy reads empty twice; a's drain asks b before it
     * deletes, and keeps both. b's repair then carries the change to a, which calls the drain off.
     */
    @Test
    void aChangeThroughBWhoseLegToADidNotArriveKeepsTheContainerWhenEveryCopyReadsEmpty() throws Exception {
        AutosyncProxy a = start("a");
        String c = name("changed-at-b");
        // b's replica here (one of two) leaves the key to the other one, which is not running
        int owner = org.autosync.placement.repair.RepairRecord.workerOf(
                org.autosync.placement.repair.RepairRecord.keyHash("AUTH_test", c), 2);
        AutosyncProxy b = start("b", "autosync.repair { workers = 2, worker-index = " + (1 - owner) + " }");
        drainAfterDelete(a, c);
        // what b's fan-out leaves when its leg to a fails: the change applied at b, recorded for a
        assertEquals(204, SWIFT_B.send("POST", containerPath(c), "X-Container-Meta-Gen", "2").statusCode());
        b.federation().repairRecords().record(List.of(new org.autosync.placement.repair.RepairRecord("AUTH_test", c,
                org.autosync.placement.repair.RepairOp.CONTAINER_POST, "a", "b",
                java.time.Instant.now().toEpochMilli() * 1000, java.util.Set.of("x-container-meta-gen")))).get();
        await(() -> SWIFT_B.listObjects(c).isEmpty(), "sync carried the object delete to b");
        // two and a half sync passes (deletes.sync-interval 6 s) with every copy empty: a drain
        // that did not ask b would have deleted both by now
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until && SWIFT_B.head(containerPath(c)).statusCode() == 204) {
            a.federation().repairWorker().passNow();
            Thread.sleep(1_000);
        }
        assertEquals(204, SWIFT_B.head(containerPath(c)).statusCode(), "b's copy, with the client's change, stays");
        assertEquals(204, SWIFT_A.head(containerPath(c)).statusCode(), "and a's, which the change is to reach");
        assertEquals(1, pendingAt(a), "the drain waits for b's change");

        stop(b);
        start("b"); // the replica owning the key: its first pass carries the change to a, which calls the drain off
        await(() -> {
            try {
                a.federation().repairWorker().passNow();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return pendingAt(a) == 0;
        }, "b's change reached a and called the drain off");
        for (FanOutSwiftSite s : List.of(SWIFT_A, SWIFT_B)) {
            HttpResponse<byte[]> head = s.head(containerPath(c));
            assertEquals(204, head.statusCode(), "kept at " + s);
            assertEquals("2", header(head, "X-Container-Meta-Gen"), "the client's change at " + s);
        }
    }

    /** A container whose only object was deleted through a, then the container: 202, draining at b. */
    private String drainingAfterDelete(AutosyncProxy a, String hint) throws Exception {
        String c = name(hint);
        drainAfterDelete(a, c);
        return c;
    }

    private void drainAfterDelete(AutosyncProxy a, String c) throws Exception {
        assertEquals(201, via(a, "PUT", containerPath(c)).statusCode());
        assertEquals(201, via(a, "PUT", objectPath(c, "o"), "Content-Type", "text/plain").statusCode());
        await(() -> SWIFT_B.listObjects(c).size() == 1, "the object reached b");
        try (LabDaemon sync = LabDaemon.pause("a", "container-sync")) {
            assertEquals(204, via(a, "DELETE", objectPath(c, "o")).statusCode());
            HttpResponse<byte[]> del = via(a, "DELETE", containerPath(c));
            assertEquals(202, del.statusCode(), text(del));
            assertEquals("a=empty, b=draining", header(del, "X-Autosync-Sites"));
            assertEquals("a, b", header(del, "X-Autosync-Repair-Pending"), "repair deletes every copy");
        }
    }

    /**
     * Both sites changed the same header while they could not talk: the newer change wins at
     * both, whichever record is processed first (Autosync's change clocks; Swift's own
     * timestamps would say whichever site applied last).
     */
    @Test
    void theNewerOfTwoChangesMadeApartWinsAtBothSites() throws Exception {
        AutosyncProxy a = start("a");
        AutosyncProxy b = start("b");
        String c = name("apart");
        assertEquals("a=201, b=201", header(via(a, "PUT", containerPath(c), "X-Container-Meta-Color", "green"),
                "X-Autosync-Sites"));
        stop(b);
        assertEquals(204, via(a, "POST", containerPath(c), "X-Container-Meta-Color", "blue",
                "X-Autosync-Consistency", "local").statusCode());
        Thread.sleep(20);
        stop(a);
        b = start("b");
        HttpResponse<byte[]> later = viaB(b, "POST", containerPath(c), "X-Container-Meta-Color", "red",
                "X-Autosync-Consistency", "local");
        assertEquals(204, later.statusCode(), text(later));
        assertEquals("a", header(later, "X-Autosync-Repair-Pending"));
        // a comes back: its older record is processed first, on purpose
        a = start("a");
        AutosyncProxy seenBy = b;
        // b leaves its record for a waiting while its health checks say a is down
        await(() -> peerUp(seenBy, "a"), "b's health checks see a again");
        a.federation().repairWorker().passNow();
        assertEquals("red", header(SWIFT_B.head(containerPath(c)), "X-Container-Meta-Color"),
                "b keeps its newer value against a's older record");
        b.federation().repairWorker().passNow();
        assertEquals("red", header(SWIFT_A.head(containerPath(c)), "X-Container-Meta-Color"), "b's newer value reaches a");
        assertEquals("red", header(SWIFT_B.head(containerPath(c)), "X-Container-Meta-Color"));
    }

    /** The same, with the records lost: the reconcile settles it by the change clocks. */
    @Test
    void reconcileSettlesMetadataThatDiffersByTheChangeClocks() throws Exception {
        AutosyncProxy a = start("a");
        AutosyncProxy b = start("b");
        String c = name("clocks");
        assertEquals("a=201, b=201", header(via(a, "PUT", containerPath(c)), "X-Autosync-Sites"));
        stop(b);
        assertEquals(204, via(a, "POST", containerPath(c), "X-Container-Meta-Color", "blue",
                "X-Autosync-Consistency", "local").statusCode());
        Thread.sleep(20);
        stop(a);
        b = start("b");
        assertEquals(204, viaB(b, "POST", containerPath(c), "X-Container-Meta-Color", "red",
                "X-Autosync-Consistency", "local").statusCode());
        stop(b);
        a = start("a");
        purgeJournal(SWIFT_A); // the repair records are lost; the change clocks are not
        purgeJournal(SWIFT_B);
        start("b");
        var report = a.federation().reconciler().run(new org.autosync.proxy.federation.reconcile.Reconciler.Options(
                List.of("AUTH_test"), false, false, -1, n -> { }));
        assertEquals(0, report.failed(), report.details().toString());
        assertTrue(report.details().stream().anyMatch(d -> d.key().equals("AUTH_test/" + c)
                && d.reason().contains("older metadata at a (x-container-meta-color)")), report.details().toString());
        assertEquals("red", header(SWIFT_A.head(containerPath(c)), "X-Container-Meta-Color"));
        assertEquals("red", header(SWIFT_B.head(containerPath(c)), "X-Container-Meta-Color"));
    }

    @Test
    void clientsCannotReachTheRepairAccountThroughAutosync() {
        AutosyncProxy a = start("a");
        String admin = FanOutSwiftSite.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081/auth/v1.0"))
                .header("X-Auth-User", "admin:admin").header("X-Auth-Key", "admin").GET())
                .headers().firstValue("X-Auth-Token").orElseThrow();
        for (String path : List.of(JOURNAL, "/v1/AUTH_%61utosync/autosync-repairs", "/v1/AUTH_autosync")) {
            HttpResponse<byte[]> r = FanOutSwiftSite.send(HttpRequest.newBuilder(URI.create(urlA + path))
                    .header("X-Auth-Token", admin).GET());
            assertEquals(403, r.statusCode(), path);
            assertTrue(text(r).contains("reserved for Autosync"), text(r));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String name(String hint) {
        String c = FanOutSwiftSite.unique("repair-" + hint);
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        return c;
    }

    private HttpResponse<byte[]> via(AutosyncProxy p, String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + path))
                .timeout(Duration.ofSeconds(60)).header("X-Auth-Token", SWIFT_A.token())
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    /** Through proxy b, with b's own token for test:tester (each lab site has its own tempauth). */
    private HttpResponse<byte[]> viaB(AutosyncProxy p, String method, String path, String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + path))
                .timeout(Duration.ofSeconds(60)).header("X-Auth-Token", SWIFT_B.token())
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            r.headers(headers);
        }
        return FanOutSwiftSite.send(r);
    }

    private static JsonNode status(AutosyncProxy p) {
        HttpResponse<byte[]> r = FanOutSwiftSite.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + p.adminPort() + "/status")).GET());
        assertEquals(200, r.statusCode(), text(r));
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("status is not JSON: " + text(r), e);
        }
    }

    /** Pending records in a's status after its worker's last pass; -1 before the first pass. */
    private static int pendingAt(AutosyncProxy p) {
        JsonNode repair = status(p).path("repair");
        return repair.path("last_pass").isNull() ? -1 : repair.path("pending").asInt();
    }

    /** Whether {@code p}'s health checks take {@code site} to be up ({@code autosync_peer_up}). */
    private static boolean peerUp(AutosyncProxy p, String site) {
        return p.metrics().scrape().lines().anyMatch(l -> l.matches("autosync_peer_up\\{site=\"" + site
                + "\",?\\} 1\\.0"));
    }

    private static void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + CATCH_UP + ": " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Removes every repair record at a site, as its service user would see them. */
    private static void purgeJournal(FanOutSwiftSite site) {
        String token = FanOutSwiftSite.send(HttpRequest.newBuilder(site.base.resolve("/auth/v1.0"))
                .header("X-Auth-User", "admin:admin").header("X-Auth-Key", "admin").GET())
                .headers().firstValue("X-Auth-Token").orElseThrow();
        HttpResponse<byte[]> list = FanOutSwiftSite.send(HttpRequest.newBuilder(site.base.resolve(JOURNAL + "?format=json"))
                .header("X-Auth-Token", token).GET());
        if (list.statusCode() != 200) {
            return;
        }
        try {
            for (JsonNode o : JSON.readTree(list.body())) {
                String obj = o.path("name").asText();
                FanOutSwiftSite.send(HttpRequest.newBuilder(site.base.resolve(JOURNAL + "/" + obj))
                        .header("X-Auth-Token", token).DELETE());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
