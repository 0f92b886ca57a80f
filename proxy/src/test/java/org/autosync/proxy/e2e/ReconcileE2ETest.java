package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.autosync.placement.repair.ChangeClock;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.cli.ReconcileCommand;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.federation.reconcile.ReconcileReport;
import org.autosync.proxy.federation.reconcile.Reconciler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Full reconcile on the real lab, in an account of its own (AUTH_test2) so that nothing else of
 * the lab is touched: containers made straight at one site's Swift appear at the other.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class ReconcileE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "AUTH_test2";
    private static final URI SWIFT_A = URI.create("http://127.0.0.1:8081");
    private static final URI SWIFT_B = URI.create("http://127.0.0.1:8082");

    private final List<AutosyncProxy> running = new ArrayList<>();
    private final List<String> made = new ArrayList<>();
    private Settings settingsA;
    private com.typesafe.config.Config configA;

    private int[] ports;

    @BeforeEach
    void start() throws Exception {
        ports = FanOutE2ETest.freePorts(2);
        configA = config("a", ports[0], 8081, url(0), url(1), "");
        settingsA = Settings.fromConfig(configA);
        running.add(AutosyncProxy.start(settingsA));
        running.add(AutosyncProxy.start(settings("b", ports[1], 8082, url(0), url(1))));
    }

    private String url(int i) {
        return "http://127.0.0.1:" + ports[i];
    }

    private static Settings settings(String site, int port, int swift, String urlA, String urlB) {
        return settings(site, port, swift, urlA, urlB, "");
    }

    private static Settings settings(String site, int port, int swift, String urlA, String urlB, String extra) {
        return Settings.fromConfig(config(site, port, swift, urlA, urlB, extra));
    }

    private static com.typesafe.config.Config config(String site, int port, int swift, String urlA, String urlB,
                                                     String extra) {
        return ConfigFactory.parseString("autosync.reconcile.interval = 0\n" + extra)
                .withFallback(FanOutE2ETest.hocon(site, port, swift, urlA, urlB, "reconcile-e2e-sync-secret-0123",
                        "reconcile-e2e-peer-secret-45678"));
    }

    @AfterEach
    void stop() {
        running.forEach(AutosyncProxy::close);
        for (String c : made) {
            for (URI site : List.of(SWIFT_A, SWIFT_B)) {
                send(site, "DELETE", c);
            }
        }
    }

    private AutosyncProxy proxyA() {
        return running.get(0);
    }

    @Test
    void aContainerMadeStraightAtSwiftAAppearsAtBWithSyncWiredBothWays() throws Exception {
        String c = name("direct");
        assertEquals(201, send(SWIFT_A, "PUT", c, "X-Container-Meta-Color", "green").statusCode());

        ReconcileReport dry = reconcile(true);
        assertEquals(1, dry.updated(), dry.toMap(true).toString());
        assertTrue(dry.details().get(0).reason().startsWith("would do: missing at b"), dry.details().toString());
        assertEquals(404, send(SWIFT_B, "HEAD", c).statusCode(), "--dry-run changes nothing");
        assertEquals(null, header(send(SWIFT_A, "HEAD", c), "X-Container-Sync-To"), "nor at a");

        ReconcileReport done = reconcile(false);
        assertEquals(1, done.updated(), done.toMap(true).toString());
        assertEquals(0, done.failed());
        HttpResponse<byte[]> atB = send(SWIFT_B, "HEAD", c);
        assertEquals(204, atB.statusCode());
        assertEquals("green", header(atB, "X-Container-Meta-Color"));
        assertEquals("//lab/a/" + ACCOUNT + "/" + c, header(atB, "X-Container-Sync-To"));
        HttpResponse<byte[]> atA = send(SWIFT_A, "HEAD", c);
        assertEquals("//lab/b/" + ACCOUNT + "/" + c, header(atA, "X-Container-Sync-To"), "a's copy wired to b");
        assertEquals(header(atA, "X-Container-Sync-Key"), header(atB, "X-Container-Sync-Key"));

        ReconcileReport again = reconcile(false);
        assertEquals(0, again.updated(), "a second run finds it in sync: " + again.details());
        assertEquals(2, again.unmodified(), "the container, and the account's own metadata");
    }

    /**
     * b's copy is lost (deleted straight at its Swift), while b keeps the change clocks of the
     * metadata and ACL set through Autosync: the copy reconcile makes again gets the values with
     * their clocks; without them b would keep its "newer" nothing for each, and stay a conflict.
     */
    @Test
    void aCopyLostAtBIsMadeAgainWithTheMetadataAndTheAclItsClocksKnow() throws Exception {
        String c = name("lost-at-b");
        HttpResponse<byte[]> put = viaA("PUT", c, "X-Container-Meta-Color", "green", "X-Container-Read", ".r:*");
        assertEquals(201, put.statusCode(), text(put));
        assertEquals("green", header(send(SWIFT_B, "HEAD", c), "X-Container-Meta-Color"), "the fan-out made it at b");
        assertTrue(running.get(1).federation().changeClocks().read(ACCOUNT, c).get()
                .containsKey("x-container-read"), "b keeps the clocks of what it applied");
        assertEquals(204, send(SWIFT_B, "DELETE", c).statusCode());

        ReconcileReport done = reconcile(false);
        assertEquals(0, done.failed() + done.conflicts(), done.toMap(true).toString());
        HttpResponse<byte[]> atB = send(SWIFT_B, "HEAD", c);
        assertEquals(204, atB.statusCode());
        assertEquals("green", header(atB, "X-Container-Meta-Color"));
        assertEquals(".r:*", header(atB, "X-Container-Read"));
        ReconcileReport again = reconcile(false);
        assertEquals(0, again.updated() + again.conflicts(), "in sync: " + again.details());
    }

    /**
     * Nobody runs a command: the first replica of site a reconciles every reconcile.interval by
     * itself, and status shows the run; a second replica of the same site leaves it to the first.
     */
    @Test
    void theFirstReplicaReconcilesByItselfEveryIntervalAndStatusShowsTheRun() throws Exception {
        running.remove(0).close();
        // two replicas of site a, splitting the repair records between them
        String periodic = "autosync.reconcile.interval = 1s\nautosync.reconcile.accounts = [" + ACCOUNT + "]\n"
                + "autosync.repair.workers = 2\n";
        running.add(0, AutosyncProxy.start(settings("a", ports[0], 8081, url(0), url(1),
                periodic + "autosync.repair.worker-index = 0\n")));
        AutosyncProxy second = AutosyncProxy.start(settings("a", FanOutE2ETest.freePorts(1)[0], 8081, url(0), url(1),
                periodic + "autosync.repair.worker-index = 1\n"));
        running.add(second);
        String c = name("periodic");
        assertEquals(201, send(SWIFT_A, "PUT", c, "X-Container-Meta-Color", "teal").statusCode());
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        HttpResponse<byte[]> atB = send(SWIFT_B, "HEAD", c);
        while (atB.statusCode() != 204 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            atB = send(SWIFT_B, "HEAD", c);
        }
        assertEquals(204, atB.statusCode(), "created at b with no command run");
        assertEquals("teal", header(atB, "X-Container-Meta-Color"));
        assertEquals("//lab/a/" + ACCOUNT + "/" + c, header(atB, "X-Container-Sync-To"));
        Map<String, Object> rec = reconcileStatus(proxyA());
        while (rec.get("last") == null && System.nanoTime() < deadline) {
            Thread.sleep(100); // the run that created it is still going
            rec = reconcileStatus(proxyA());
        }
        assertEquals("here", rec.get("runs"), rec.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> sync = (Map<String, Object>) ((Map<String, Object>) rec.get("last")).get("sync");
        assertEquals(0, sync.get("failed"), rec.toString());
        Map<String, Object> other = reconcileStatus(second);
        assertEquals("first-replica", other.get("runs"), "the second replica leaves it to the first: " + other);
        assertEquals(null, other.get("last"), other.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reconcileStatus(AutosyncProxy p) throws Exception {
        return (Map<String, Object>) p.federation().status().get().get("reconcile");
    }

    @Test
    void metadataThatDiffersIsReportedAndLeftAlone() throws Exception {
        String c = name("differs");
        assertEquals(201, send(SWIFT_A, "PUT", c, "X-Container-Meta-Color", "blue").statusCode());
        assertEquals(201, send(SWIFT_B, "PUT", c, "X-Container-Meta-Color", "red").statusCode());
        ReconcileReport r = reconcile(false);
        assertEquals(1, r.conflicts(), r.details().toString());
        assertTrue(r.details().get(0).reason().contains("x-container-meta-color is 'blue' at a, 'red' at b"),
                r.details().toString());
        assertEquals("red", header(send(SWIFT_B, "HEAD", c), "X-Container-Meta-Color"), "nothing guessed");
    }

    @Test
    void aContainerVersionedStraightAtSwiftIsListedAsNotSynced() throws Exception {
        String c = name("versioned");
        assertEquals(201, send(SWIFT_A, "PUT", c, "X-Versions-Enabled", "true").statusCode());
        ReconcileReport r = reconcile(false);
        assertEquals(1, r.conflicts(), r.details().toString());
        assertTrue(r.details().get(0).reason().startsWith("not synced: object versioning is configured at a"),
                r.details().toString());
        assertEquals(404, send(SWIFT_B, "HEAD", c).statusCode(), "not half-made at b");
        assertEquals(null, header(send(SWIFT_A, "HEAD", c), "X-Container-Sync-To"));
    }

    @Test
    void accountMetadataIsComparedToo() throws Exception {
        String meta = "X-Account-Meta-Reconcile-E2e";
        try {
            assertEquals(204, sendAccount(SWIFT_A, "POST", meta, "at-a").statusCode());
            assertEquals(204, sendAccount(SWIFT_B, "POST", meta, "at-b").statusCode());
            ReconcileReport r = reconcile(false);
            assertTrue(r.details().stream().anyMatch(d -> d.key().equals(ACCOUNT)
                    && d.reason().contains("x-account-meta-reconcile-e2e is 'at-a' at a, 'at-b' at b")),
                    r.details().toString());
        } finally {
            sendAccount(SWIFT_A, "POST", meta, "");
            sendAccount(SWIFT_B, "POST", meta, "");
        }
    }

    /**
     * b took a client's DELETE and its leg to a failed: b's copy is gone and b holds the record
     * that a's copy must go too. A reconcile at a (the owner) sees a copy missing at b; it must
     * leave the key to repair, not bring the deleted container back.
     */
    @Test
    void aDeleteStillPendingAtBIsNotUndoneByAReconcileAtA() throws Exception {
        // b's worker waits an hour between passes, so the record is still there when a reconciles
        running.remove(1).close();
        AutosyncProxy b = AutosyncProxy.start(settings("b", ports[1], 8082, url(0), url(1),
                "autosync.repair { interval = 1h, max-backoff = 1h }"));
        running.add(b);
        String c = name("deleted-at-b");
        assertEquals(201, send(SWIFT_A, "PUT", c).statusCode());
        assertEquals(201, send(SWIFT_B, "PUT", c).statusCode());
        assertEquals(204, send(SWIFT_B, "DELETE", c).statusCode());
        b.federation().repairRecords().record(List.of(new RepairRecord(ACCOUNT, c, RepairOp.CONTAINER_DELETE, "a",
                "b", java.time.Instant.now().toEpochMilli() * 1000, java.util.Set.of()))).get();

        ReconcileReport dry = reconcile(true);
        assertEquals(0, dry.updated(), "nothing to do while b's record is pending: " + dry.details());
        assertEquals(1, dry.pending(), dry.toMap(true).toString());
        ReconcileReport done = reconcile(false);
        assertEquals(0, done.updated(), done.details().toString());
        assertEquals(1, done.pending());
        assertEquals(404, send(SWIFT_B, "HEAD", c).statusCode(), "the deleted copy was not brought back");

        b.federation().repairWorker().passNow(); // b carries its delete on to a
        assertEquals(404, send(SWIFT_A, "HEAD", c).statusCode(), "and the delete is finished at a");
    }

    /**
     * Autosync deleted a container, b missed it, and the record that would have carried it there
     * was lost: b still holds an empty copy. The delete's clock, kept where it was taken, tells
     * reconcile that the copy is left over (last changed before it), not made since: it is
     * deleted, unless the run would delete more than it is allowed to. The same with the delete
     * taken at b and a's copy left over: b lists its deletes for a's run.
     */
    @Test
    void anEmptyCopyLeftOverFromADeleteIsDeletedWithinMaxDeletes() throws Exception {
        String deleted = name("deleted");
        assertEquals(201, viaA("PUT", deleted).statusCode());
        HttpResponse<byte[]> del = viaA("DELETE", deleted);
        assertEquals(204, del.statusCode(), text(del));
        var kept = proxyA().federation().changeClocks().deletes(ACCOUNT, "").get().deletes();
        assertEquals("a", kept.get(deleted).site(), "a delete through a is kept there: " + kept);

        String left = name("left-over");
        String leftAtA = name("left-over-at-a");
        for (String c : List.of(left, leftAtA)) {
            assertEquals(201, send(SWIFT_A, "PUT", c).statusCode());
            assertEquals(201, send(SWIFT_B, "PUT", c).statusCode());
        }
        // the deletes as the fan-out takes them: the taking site's copy gone and its clock kept
        // there; the leg to the other site lost, and its record with it. They are stamped 61 s
        // ahead: a copy counts as left over only when last changed more than a minute before
        // the delete (Last-Modified is in whole seconds, rounded up), and a test does not wait.
        long now = java.time.Instant.now().plusSeconds(62).toEpochMilli() * 1000;
        assertEquals(204, send(SWIFT_A, "DELETE", left).statusCode());
        proxyA().federation().changeClocks().recordDelete(ACCOUNT, left, new ChangeClock(now, "a")).get();
        assertEquals(204, send(SWIFT_B, "DELETE", leftAtA).statusCode());
        running.get(1).federation().changeClocks().recordDelete(ACCOUNT, leftAtA, new ChangeClock(now, "b")).get();

        // a delete older than reconcile.keep-deletes (7 days) is forgotten, as Swift forgets its tombstones
        String longAgo = name("deleted-long-ago");
        ChangeClock old = new ChangeClock(java.time.Instant.now().minus(java.time.Duration.ofDays(8)).toEpochMilli() * 1000,
                "a");
        proxyA().federation().changeClocks().recordDelete(ACCOUNT, longAgo, old).get();

        ReconcileReport dry = reconcile(true, 1);
        assertEquals(old, proxyA().federation().changeClocks().deletes(ACCOUNT, "").get().deletes().get(longAgo),
                "a dry run drops nothing");
        assertTrue(detail(dry, left).startsWith("not deleted: this run would delete 2 containers, more than the 1"),
                detail(dry, left));
        ReconcileReport dryAll = reconcile(true, -1);
        assertTrue(detail(dryAll, left).startsWith("would delete it: the empty copy at b is left over from the delete"),
                detail(dryAll, left));
        assertTrue(detail(dryAll, leftAtA).contains("(at b)"), detail(dryAll, leftAtA));
        assertEquals(2, dryAll.deleted(), dryAll.toMap(true).toString());
        // the command, as an operator runs it: over its limit, exit 1 and each delete failed
        java.nio.file.Path conf = java.nio.file.Files.createTempFile("reconcile-e2e-a", ".conf");
        try {
            java.nio.file.Files.writeString(conf, configA.root().render(com.typesafe.config.ConfigRenderOptions.concise()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = org.autosync.proxy.Main.run(new String[] {"reconcile", "--config", conf.toString(), "--account",
                    ACCOUNT, "--max-deletes", "1", "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            JsonNode refused = JSON.readTree(out.toByteArray());
            assertEquals(1, code, err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8));
            assertEquals(2, refused.path("sync").path("failed").asInt(), refused.toString());
            assertEquals(0, refused.path("containers").path("deleted").asInt(), refused.toString());
        } finally {
            java.nio.file.Files.deleteIfExists(conf);
        }
        assertEquals(204, send(SWIFT_B, "HEAD", left).statusCode(), "a run over its limit deletes nothing");
        assertEquals(404, send(SWIFT_A, "HEAD", left).statusCode(), "nor brings a deleted copy back");
        assertEquals(204, send(SWIFT_A, "HEAD", leftAtA).statusCode());

        assertEquals(null, proxyA().federation().changeClocks().deletes(ACCOUNT, "").get().deletes().get(longAgo),
                "a run drops this site's deletes older than keep-deletes");
        ReconcileReport done = reconcile(false, 2);
        assertEquals(0, done.failed(), done.toMap(true).toString());
        assertEquals(2, done.deleted(), done.toMap(true).toString());
        assertTrue(detail(done, left).startsWith("deleted: the empty copy at b is left over from the delete through "
                + "Autosync at "), detail(done, left));
        assertTrue(detail(done, leftAtA).startsWith("deleted: the empty copy at a is left over"), detail(done, leftAtA));
        for (String c : List.of(left, leftAtA)) {
            assertEquals(404, send(SWIFT_A, "HEAD", c).statusCode(), c + " is gone at a");
            assertEquals(404, send(SWIFT_B, "HEAD", c).statusCode(), c + " is gone at b");
        }
    }

    @Test
    void theCommandPrintsTheSyncSummaryAsJson() throws Exception {
        String c = name("cli");
        assertEquals(201, send(SWIFT_B, "PUT", c).statusCode());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReconcileCommand.run(settingsA, List.of(ACCOUNT), false, null, true, false,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        JsonNode j = JSON.readTree(out.toByteArray());
        assertEquals(1, j.path("sync").path("updated").asInt(), j.toString());
        assertEquals(0, j.path("sync").path("failed").asInt());
        assertTrue(j.path("sync").has("unmodified") && j.path("sync").has("conflicts"), j.toString());
        assertTrue(j.path("containers").path("processed").asInt() >= 1, j.toString());
        assertEquals(j.path("containers").path("total"), j.path("containers").path("processed"));
        assertEquals(204, send(SWIFT_A, "HEAD", c).statusCode(), "made at b only, now at a too");
    }

    // ------------------------------------------------------------------ helpers

    private ReconcileReport reconcile(boolean dryRun) throws InterruptedException {
        return reconcile(dryRun, -1);
    }

    private ReconcileReport reconcile(boolean dryRun, int maxDeletes) throws InterruptedException {
        return proxyA().federation().reconciler().run(new Reconciler.Options(List.of(ACCOUNT), dryRun, false,
                maxDeletes, n -> { }));
    }

    /** The run's line for a container of this account; fails when there is none. */
    private static String detail(ReconcileReport r, String container) {
        return r.details().stream().filter(d -> d.key().equals(ACCOUNT + "/" + container)).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + container + ": " + r.details())).reason();
    }

    /** As the lab's reseller admin, through proxy a. */
    private HttpResponse<byte[]> viaA(String method, String container, String... headers) {
        send(SWIFT_A, "HEAD", ""); // a token for a's Swift, which proxy a passes on
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(0) + "/v1/" + ACCOUNT + "/" + container))
                .header("X-Auth-Token", TOKENS.get(SWIFT_A)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    private String name(String hint) {
        String c = FanOutSwiftSite.unique("reconcile-" + hint);
        made.add(c);
        return c;
    }

    private static final java.util.Map<URI, String> TOKENS = new java.util.concurrent.ConcurrentHashMap<>();

    private static HttpResponse<byte[]> sendAccount(URI site, String method, String header, String value) {
        String token = TOKENS.computeIfAbsent(site, s -> FanOutSwiftSite.send(HttpRequest.newBuilder(
                        s.resolve("/auth/v1.0")).header("X-Auth-User", "admin:admin").header("X-Auth-Key", "admin").GET())
                .headers().firstValue("X-Auth-Token").orElseThrow());
        return FanOutSwiftSite.send(HttpRequest.newBuilder(site.resolve("/v1/" + ACCOUNT)).header("X-Auth-Token", token)
                .header(header, value).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** As the lab's reseller admin, straight at a site's Swift. */
    private static HttpResponse<byte[]> send(URI site, String method, String container, String... headers) {
        String token = TOKENS.computeIfAbsent(site, s -> FanOutSwiftSite.send(HttpRequest.newBuilder(
                        s.resolve("/auth/v1.0")).header("X-Auth-User", "admin:admin").header("X-Auth-Key", "admin").GET())
                .headers().firstValue("X-Auth-Token").orElseThrow());
        HttpRequest.Builder b = HttpRequest.newBuilder(site.resolve("/v1/" + ACCOUNT + "/" + container))
                .header("X-Auth-Token", token).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<byte[]> r = FanOutSwiftSite.send(b);
        if (r.statusCode() >= 500) {
            throw new AssertionError(method + " " + container + " at " + site + ": " + r.statusCode() + " " + text(r));
        }
        return r;
    }
}
