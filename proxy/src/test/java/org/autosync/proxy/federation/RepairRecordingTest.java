package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import java.util.Map;
import java.util.Set;
import org.autosync.placement.repair.RepairOp;
import org.autosync.placement.repair.RepairRecord;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.RepairSettings;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out's side of repair, against stub sites: a leg a peer did not confirm is written to
 * the local cluster's repair container before the client's answer, and a record that cannot be
 * written never ends in a 2xx.
 */
class RepairRecordingTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOURNAL = "/v1/AUTH_autosync/autosync-repairs";

    private StubSite local;
    private StubSite b;
    private AutosyncProxy proxy;

    @BeforeEach
    void stubs() throws IOException {
        local = new StubSite();
        b = new StubSite();
        // the local stub is also the service user's tempauth; its journal listing is empty
        local.answer("GET", r -> r.getPath().startsWith("/auth/")
                ? new MockResponse().setResponseCode(200).addHeader("X-Auth-Token", "AUTH_tk_service")
                        .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin")
                : new MockResponse().setResponseCode(204));
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        local.close();
        b.close();
    }

    private void start(URI siteB) throws InterruptedException {
        start(siteB, Duration.ofMinutes(5));
    }

    private void start(URI siteB, Duration syncPass) throws InterruptedException {
        // a pass an hour: this test is about what the fan-out writes, not about the worker
        start(siteB, syncPass, Duration.ofHours(1));
    }

    private void start(URI siteB, Duration syncPass, Duration interval) throws InterruptedException {
        FederationFixture f = FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", siteB)
                .authUrl(URI.create(local.url() + "/auth/v1.0"));
        RepairSettings repair = RepairSettings.off().withEnabled(true).withInterval(interval)
                .withMaxBackoff(interval).withSyncPass(syncPass);
        proxy = TestProxy.start(local.server.getPort(), s -> s.federation(f.build().withRepair(repair)));
    }

    private HttpResponse<String> call(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            r.headers(headers);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<RecordedRequest> journalWrites() {
        return local.seen.stream().filter(r -> r.getMethod().equals("PUT") && r.getPath().startsWith(JOURNAL + "/"))
                .toList();
    }

    /**
     * A draining delete of {@code c} recorded here by this proxy (so the journal knows it is
     * pending), with the local stub listing it; returns the record's name.
     */
    private String drainRecordedHere(long deletedAtMicros) throws Exception {
        return recordedAndListed(new RepairRecord("AUTH_test", "c", RepairOp.CONTAINER_DRAIN, "a", "a",
                deletedAtMicros, Set.of(), Map.of()));
    }

    /** {@code r} written through this proxy's journal, and the only record the local stub lists. */
    private String recordedAndListed(RepairRecord r) throws Exception {
        String name = proxy.federation().repairRecords().record(List.of(r)).get().get(0);
        local.answer("GET", q -> q.getPath().startsWith("/auth/")
                ? new MockResponse().setResponseCode(200).addHeader("X-Auth-Token", "AUTH_tk_service")
                        .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin")
                : q.getPath().startsWith(JOURNAL + "?")
                        ? new MockResponse().setResponseCode(200).setBody(name.startsWith(java.util.Objects.requireNonNullElse(
                                q.getRequestUrl().queryParameter("prefix"), "")) ? "[{\"name\": \"" + name + "\"}]" : "[]")
                        : new MockResponse().setResponseCode(204));
        return name;
    }

    private boolean recordDeleted(String name) {
        return local.seen.stream().anyMatch(r -> r.getMethod().equals("DELETE")
                && r.getPath().startsWith(JOURNAL + "/") && r.getPath().endsWith(name.substring(name.lastIndexOf('-'))));
    }

    @Test
    void aContainerPutAfterItsDeleteCallsTheDrainOffAndTellsThePeersWhen() throws Exception {
        start(b.url());
        long deletedAt = (System.currentTimeMillis() - 1000) * 1000;
        String name = drainRecordedHere(deletedAt);
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Autosync-Changed-At", "1"); // a client's own is dropped
        assertEquals(201, r.statusCode(), r.body());
        assertTrue(recordDeleted(name), "the drain was called off: " + local.methods());
        RecordedRequest leg = b.only("PUT");
        long at = Long.parseLong(leg.getHeader("X-Autosync-Changed-At"));
        assertTrue(at > deletedAt, "the peers call off their own drains older than the change: " + at);
    }

    @Test
    void aPutSwiftRefusesCallsNothingOff() throws Exception {
        start(b.url());
        String name = drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        local.answer("PUT", req -> new MockResponse().setResponseCode(req.getPath().startsWith(JOURNAL) ? 201 : 403));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "not-allowed");
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(!recordDeleted(name), "a client Swift refused cannot call a delete off");
        assertTrue(!b.methods().contains("PUT"), "nor reach the peers: " + b.methods());
    }

    @Test
    void aDrainThatCannotBeCalledOffTurnsThePutInto503() throws Exception {
        start(b.url());
        drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        local.answer("DELETE", 503);
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk", "X-Container-Meta-Gen", "2");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("a pending delete of it could not be called off"), r.body());
        assertTrue(!b.methods().contains("POST"), "nothing promised, nothing sent on: " + b.methods());
    }

    /** A PUT of c signed by site b, carrying when its client changed the container. */
    private HttpResponse<String> peerPut(String changedAt) throws Exception {
        return peerCall("PUT", changedAt);
    }

    private HttpResponse<String> peerCall(String method, String changedAt) throws Exception {
        return peerCall(method, "X-Autosync-Changed-At", changedAt);
    }

    /** {@code method} of c signed by site b, with one more signed header. */
    private HttpResponse<String> peerCall(String method, String header, String value) throws Exception {
        Map<String, String> covered = new java.util.LinkedHashMap<>();
        covered.put(header, value);
        Map<String, String> all = new java.util.LinkedHashMap<>(covered);
        all.putAll(new org.autosync.auth.PeerSigner("b", FederationFixture.PEER_SECRET.getBytes(
                java.nio.charset.StandardCharsets.UTF_8), java.time.Clock.systemUTC())
                .sign("a", method, "/v1/AUTH_test/c", covered));
        return call(method, "/v1/AUTH_test/c", all.entrySet().stream()
                .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new));
    }

    private boolean accountNoted() {
        return local.seen.stream().anyMatch(q -> q.getMethod().equals("PUT")
                && q.getPath().equals("/v1/AUTH_autosync/autosync-accounts/AUTH_test"));
    }

    @Test
    void anAccountChangedOnlyThroughAPeerIsNotedForThisSitesReconcile() throws Exception {
        local.answer("PUT", q -> new MockResponse().setResponseCode(q.getPath().equals("/v1/AUTH_test/c") ? 403 : 201));
        start(b.url());
        assertEquals(403, peerPut(Long.toString(System.currentTimeMillis() * 1000)).statusCode());
        local.answer("PUT", 201);
        assertEquals(201, peerPut(Long.toString(System.currentTimeMillis() * 1000)).statusCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!accountNoted() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> seen = local.seen.stream().map(q -> q.getMethod() + " " + q.getPath()).toList();
        assertTrue(accountNoted(), "a reconcile here now covers AUTH_test: " + seen);
        // noted once per process: had the refused change noted it, the note would come before the
        // accepted one's PUT
        int noted = seen.indexOf("PUT /v1/AUTH_autosync/autosync-accounts/AUTH_test");
        assertTrue(noted > seen.lastIndexOf("PUT /v1/AUTH_test/c"), "noted after the change Swift accepted: " + seen);
        long notes = local.seen.stream().filter(q -> q.getPath().startsWith("/v1/AUTH_autosync/autosync-accounts/"))
                .count();
        assertEquals(201, peerPut(Long.toString(System.currentTimeMillis() * 1000)).statusCode());
        Thread.sleep(200);
        assertEquals(notes, local.seen.stream().filter(q -> q.getPath().startsWith("/v1/AUTH_autosync/autosync-accounts/"))
                .count(), "noted once per process, not per change");
    }

    @Test
    void aPeerAboutToDeleteLearnsWhetherAChangeHereIsStillToReachIt() throws Exception {
        start(b.url());
        drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        HttpResponse<String> r = peerCall("HEAD", "X-Autosync-Want-Pending-To-Me", "1");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("0", r.headers().firstValue("X-Autosync-Pending").orElse(null),
                "a delete draining here is no change on its way to b");
        assertTrue(local.seen.stream().anyMatch(q -> q.getPath().startsWith(JOURNAL + "?")
                && q.getPath().contains("prefix=")), "b's answer comes from a listing made now: " + local.methods());
        assertTrue(local.seen.stream().filter(q -> q.getMethod().equals("HEAD"))
                .allMatch(q -> q.getHeader("X-Autosync-Want-Pending-To-Me") == null), "Swift never sees it");

        putRecordedFor((System.currentTimeMillis() - 500) * 1000); // a client's PUT here that b missed
        r = peerCall("HEAD", "X-Autosync-Want-Pending-To-Me", "1");
        assertEquals("1", r.headers().firstValue("X-Autosync-Pending").orElse(null), "one is on its way to b");
    }

    @Test
    void aPeersPostCarryingOnlyTheTimeCallsOffWithoutTouchingSwift() throws Exception {
        start(b.url());
        long deletedAt = (System.currentTimeMillis() - 1000) * 1000;
        String name = drainRecordedHere(deletedAt);
        HttpResponse<String> r = peerCall("POST", Long.toString(deletedAt + 1));
        assertEquals(204, r.statusCode(), r.body());
        assertTrue(recordDeleted(name), local.methods().toString());
        assertTrue(local.seen.stream().noneMatch(q -> q.getMethod().equals("POST")),
                "no POST to Swift: it would move the copy's put time " + local.methods());
    }

    @Test
    void aPeersChangeCallsOffOnlyTheDrainsOlderThanItHere() throws Exception {
        start(b.url());
        long deletedAt = (System.currentTimeMillis() - 1000) * 1000;
        String name = drainRecordedHere(deletedAt);
        assertEquals(201, peerPut(Long.toString(deletedAt - 1)).statusCode());
        assertTrue(!recordDeleted(name), "a change made before the delete leaves it draining");
        HttpResponse<String> r = peerPut(Long.toString(deletedAt + 1));
        assertEquals(201, r.statusCode(), r.body());
        assertTrue(recordDeleted(name), "a change made after it calls it off: " + local.methods());
    }

    @Test
    void aPeersUnreadableChangeTimeIsRefusedBeforeAnythingIsApplied() throws Exception {
        start(b.url());
        long puts = local.seen.stream().filter(q -> q.getMethod().equals("PUT")).count();
        HttpResponse<String> r = peerPut("soon");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("X-Autosync-Changed-At"), r.body());
        assertEquals(puts, local.seen.stream().filter(q -> q.getMethod().equals("PUT")).count());
    }

    /** Records a client's PUT of c that b missed, with the local stub listing just that record. */
    private void putRecordedFor(long madeAtMicros) throws Exception {
        recordedAndListed(new RepairRecord("AUTH_test", "c", RepairOp.CONTAINER_PUT, "b", "a", madeAtMicros, Set.of()));
    }

    @Test
    void aRepairedPutTellsTheTargetWhenTheClientMadeItEvenWhenThereIsNothingToChange() throws Exception {
        start(b.url());
        putRecordedFor(1_700_000_000_000_001L);
        proxy.federation().repairWorker().passNow();
        assertEquals("true", b.only("HEAD").getHeader("X-Newest"), "decided from the newest replica's answer");
        RecordedRequest fix = b.only("POST");
        assertEquals("1700000000000001", fix.getHeader("X-Autosync-Changed-At"), "the sync headers went out with it");
        String syncTo = fix.getHeader("X-Container-Sync-To");
        String syncKey = fix.getHeader("X-Container-Sync-Key");
        assertTrue(syncTo != null && syncKey != null, fix.getHeaders().toString());

        // b's copy is now as it should be: the repair still tells b, so a delete draining there
        // since it was read is called off (a POST that sets nothing)
        b.seen.clear();
        b.answer("HEAD", r -> new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "0")
                .addHeader("X-Container-Sync-To", syncTo).addHeader("X-Container-Sync-Key", syncKey));
        putRecordedFor(1_700_000_000_000_002L);
        proxy.federation().repairWorker().passNow();
        RecordedRequest tell = b.only("POST");
        assertEquals("1700000000000002", tell.getHeader("X-Autosync-Changed-At"));
        assertNull(tell.getHeader("X-Container-Sync-To"), "nothing else: " + tell.getHeaders());
    }

    @Test
    void aDrainCalledOffWhileItsCopiesReadEmptyDeletesNothing() throws Exception {
        start(b.url(), Duration.ofMillis(300));
        drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        proxy.federation().repairWorker().passNow(); // both copies read empty once: a second check is booked
        // a client's PUT calls the drain off (its record is gone) before the second check runs
        local.answer("GET", r -> r.getPath().startsWith(JOURNAL + "?")
                ? new MockResponse().setResponseCode(200).setBody("[]") : new MockResponse().setResponseCode(204));
        long listings = local.seen.stream().filter(r -> r.getPath().startsWith(JOURNAL + "?")).count();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // the second check reads both copies empty again, and lists the records before deleting
        while (local.seen.stream().filter(r -> r.getPath().startsWith(JOURNAL + "?")).count() == listings
                && !b.methods().contains("DELETE") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(local.seen.stream().filter(r -> r.getPath().startsWith(JOURNAL + "?")).count() > listings
                || b.methods().contains("DELETE"), "the second check ran: " + local.methods());
        Thread.sleep(300); // what it would delete after listing, it would by now
        assertTrue(!b.methods().contains("DELETE"), "b's copy stays: " + b.methods());
        assertTrue(local.seen.stream().noneMatch(r -> r.getMethod().equals("DELETE")
                && r.getPath().equals("/v1/AUTH_test/c")), "and a's: " + local.methods());
    }

    /**
     * A client's PUT through b after the delete, whose leg to a did not arrive: b still holds its
     * record of the change for a. The check that would delete asks b first, and deletes nothing
     * until that change has come (and, arriving, would call the drain off).
     */
    @Test
    void aDrainDeletesNothingWhileAPeerHoldsAChangeOfTheContainerStillToArriveHere() throws Exception {
        start(b.url(), Duration.ofMillis(300), Duration.ofMillis(200)); // the worker's own passes carry it on
        java.util.concurrent.atomic.AtomicBoolean changeAtB = new java.util.concurrent.atomic.AtomicBoolean(true);
        b.answer("HEAD", r -> {
            MockResponse m = new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "0");
            return r.getHeader("X-Autosync-Want-Pending-To-Me") == null ? m
                    : m.addHeader("X-Autosync-Pending", changeAtB.get() ? "1" : "0");
        });
        drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        proxy.federation().repairWorker().passNow(); // both copies read empty once: a second check is booked
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (b.seen.stream().noneMatch(r -> r.getHeader("X-Autosync-Want-Pending-To-Me") != null)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        RecordedRequest asked = b.seen.stream().filter(r -> r.getHeader("X-Autosync-Want-Pending-To-Me") != null)
                .findFirst().orElseThrow(() -> new AssertionError("the second check asked b: " + b.methods()));
        assertEquals("true", asked.getHeader("X-Newest"), "and read the newest replica's copy");
        Thread.sleep(1_000); // what it would delete after asking, it would by now; and it asks again
        assertTrue(!b.methods().contains("DELETE"), "b's copy stays: " + b.methods());
        long asks = b.seen.stream().filter(r -> r.getHeader("X-Autosync-Want-Pending-To-Me") != null).count();
        assertTrue(asks < 10, "backing off, not asking every instant: " + asks + " asks in a second");
        assertTrue(local.seen.stream().noneMatch(r -> r.getMethod().equals("DELETE")
                && r.getPath().equals("/v1/AUTH_test/c")), "and a's: " + local.methods());

        changeAtB.set(false); // b's change arrived (here it did not call the drain off)
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (local.seen.stream().noneMatch(r -> r.getMethod().equals("DELETE") && r.getPath().equals("/v1/AUTH_test/c"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50); // the checks a sync pass apart go on by themselves; this site's copy goes last
        }
        assertTrue(b.methods().contains("DELETE"), "now the copies go: " + b.methods());
        assertTrue(local.seen.stream().anyMatch(r -> r.getMethod().equals("DELETE")
                && r.getPath().equals("/v1/AUTH_test/c")), local.methods().toString());
    }

    /**
     * A client's PUT through another replica of this site, while the drain deletes the other
     * copies, removes the record: this site's copy, deleted last, is kept, and the copies already
     * deleted are made again, so that the container the client kept exists everywhere.
     */
    @Test
    void aChangeHereWhileTheOtherCopiesAreDeletedKeepsThisOneAndMakesThemAgain() throws Exception {
        start(b.url(), Duration.ofMillis(300));
        drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        b.answer("DELETE", q -> {
            local.answer("GET", r -> r.getPath().startsWith("/auth/")
                    ? new MockResponse().setResponseCode(200).addHeader("X-Auth-Token", "AUTH_tk_service")
                            .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin")
                    : r.getPath().startsWith(JOURNAL + "?") ? new MockResponse().setResponseCode(200).setBody("[]")
                    : new MockResponse().setResponseCode(204)); // the record is gone from now on
            return new MockResponse().setResponseCode(204);
        });
        proxy.federation().repairWorker().passNow(); // both copies read empty once: a second check is booked
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!b.methods().contains("PUT") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(b.methods().contains("DELETE") && b.methods().contains("PUT"),
                "b's copy went, and was made again: " + b.methods());
        assertTrue(local.seen.stream().noneMatch(r -> r.getMethod().equals("DELETE")
                && r.getPath().equals("/v1/AUTH_test/c")), "this site's copy stays: " + local.methods());
    }

    /**
     * This site's copy, deleted last, refuses (an object arrived): b's copy, already deleted, is
     * made again from this site's copy as it is now, and the drain goes on under a new record
     * stamped after that (b's new put time must not read as a client's change after the delete).
     */
    @Test
    void aCopyRefusingItsDeleteHasTheOthersMadeAgainFromItAndDrainsUnderANewRecord() throws Exception {
        start(b.url(), Duration.ofMillis(300));
        long deletedAt = (System.currentTimeMillis() - 1000) * 1000;
        String name = drainRecordedHere(deletedAt);
        local.answer("HEAD", q -> new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "0")
                .addHeader("X-Container-Meta-Color", "green"));
        local.answer("DELETE", q -> new MockResponse().setResponseCode(q.getPath().equals("/v1/AUTH_test/c") ? 409 : 204));
        int writes = journalWrites().size();
        proxy.federation().repairWorker().passNow(); // both copies read empty once: a second check is booked
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!b.methods().contains("PUT") || journalWrites().size() == writes) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("green", b.only("PUT").getHeader("X-Container-Meta-Color"),
                "made again from this site's copy as it is now: " + b.methods());
        JsonNode rec = JSON.readTree(journalWrites().get(journalWrites().size() - 1).getBody().readByteArray());
        assertEquals("CONTAINER_DRAIN", rec.path("op").asText(), rec.toString());
        assertTrue(rec.path("stamp").asLong() > deletedAt + 1_000_000L, "stamped after the re-create: " + rec);
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!recordDeleted(name) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(recordDeleted(name), "the old record is done: " + local.methods());
    }

    /** As above, but a client's change called the drain off meanwhile: no new record brings it back. */
    @Test
    void aDrainCalledOffWhileAnotherCopyWasMadeAgainIsNotRecordedAgain() throws Exception {
        start(b.url(), Duration.ofMillis(300));
        drainRecordedHere((System.currentTimeMillis() - 1000) * 1000);
        local.answer("DELETE", q -> {
            if (!q.getPath().equals("/v1/AUTH_test/c")) {
                return new MockResponse().setResponseCode(204);
            }
            local.answer("GET", r -> r.getPath().startsWith("/auth/")
                    ? new MockResponse().setResponseCode(200).addHeader("X-Auth-Token", "AUTH_tk_service")
                            .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin")
                    : r.getPath().startsWith(JOURNAL + "?") ? new MockResponse().setResponseCode(200).setBody("[]")
                    : new MockResponse().setResponseCode(204)); // a client's PUT here removed the record
            return new MockResponse().setResponseCode(409);
        });
        int writes = journalWrites().size();
        proxy.federation().repairWorker().passNow(); // both copies read empty once: a second check is booked
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!b.methods().contains("PUT") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(b.methods().contains("PUT"), "b's copy made again: " + b.methods());
        Thread.sleep(300); // a new record would be written by now
        assertEquals(writes, journalWrites().size(), "the delete the client called off is not recorded again");
    }

    @Test
    void statusCountsARecordFromTheMomentItIsWrittenNotFromTheNextPass() throws Exception {
        start(FederationFixture.closedUrl());
        proxy.federation().repairWorker().passNow(); // nothing listed; the next pass is an hour away
        assertEquals(0, proxy.federation().repairStatus().pending());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "local");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(1, proxy.federation().repairStatus().pending(), "no false all-clear right after a change");
    }

    @Test
    void aLegThePeerDidNotConfirmIsRecordedBeforeTheAnswer() throws Exception {
        start(FederationFixture.closedUrl());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c%C3%A9", "X-Auth-Token", "tk",
                "X-Container-Meta-Color", "blue", "X-Remove-Container-Meta-Old", "x", "X-Object-Meta-Not", "mine",
                "X-Autosync-Consistency", "local");
        assertEquals(204, r.statusCode(), r.body());
        // local: answered once recorded, whether or not b's refusal came back by then
        String sites = r.headers().firstValue("X-Autosync-Sites").orElse("");
        assertTrue(sites.matches("a=204, b=(pending|connect-refused)"), sites);
        assertEquals("b", r.headers().firstValue("X-Autosync-Repair-Pending").orElse(null));
        List<RecordedRequest> writes = journalWrites();
        assertEquals(1, writes.size(), local.methods().toString());
        RecordedRequest w = writes.get(0);
        assertEquals("AUTH_tk_service", w.getHeader("X-Auth-Token"), "written as the service user");
        assertTrue(w.getPath().matches(JOURNAL + "/[0-9a-f]{8}/b/[0-9]{16}-a-[0-9a-f]{8}"), w.getPath());
        JsonNode rec = JSON.readTree(w.getBody().readByteArray());
        assertEquals("AUTH_test", rec.path("account").asText());
        assertEquals("c\u00e9", rec.path("container").asText());
        assertEquals("CONTAINER_POST", rec.path("op").asText());
        assertEquals("b", rec.path("target").asText());
        assertEquals("a", rec.path("origin").asText());
        assertEquals("[\"x-container-meta-color\",\"x-container-meta-old\"]", rec.path("headers").toString(),
                "names in set form, never values, never headers that are not the container's");
    }

    @Test
    void aRecordThatCannotBeWrittenTurnsTheAnswerInto503() throws Exception {
        local.answer("PUT", req -> new MockResponse().setResponseCode(
                req.getPath().startsWith(JOURNAL) ? 507 : 201));
        start(FederationFixture.closedUrl());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Autosync-Consistency", "local");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("applied at a, but not at b"), r.body());
        assertTrue(r.body().contains("retry the request"), r.body());
        String sites = r.headers().firstValue("X-Autosync-Sites").orElse("");
        assertTrue(sites.matches("a=201, b=(pending|connect-refused)"), sites);
        assertNull(r.headers().firstValue("X-Autosync-Repair-Pending").orElse(null));
        assertEquals(1.0, Scrape.sample(proxy.metrics().scrape(), "autosync_repair_unrecorded_total"));
    }

    @Test
    void aMissingRepairContainerIsCreatedAndTheRecordWritten() throws Exception {
        java.util.concurrent.atomic.AtomicInteger puts = new java.util.concurrent.atomic.AtomicInteger();
        local.answer("PUT", req -> {
            boolean record = req.getPath().startsWith(JOURNAL + "/");
            // the first record PUT finds no container
            return new MockResponse().setResponseCode(record && puts.getAndIncrement() == 0 ? 404 : 201);
        });
        start(FederationFixture.closedUrl());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Autosync-Consistency", "local");
        assertEquals(201, r.statusCode(), r.body());
        List<String> puts2 = local.seen.stream().filter(q -> q.getMethod().equals("PUT")).map(RecordedRequest::getPath)
                .filter(p -> !p.startsWith("/v1/AUTH_autosync/autosync-accounts")) // the account noted for reconcile
                .toList();
        assertEquals(4, puts2.size(), puts2.toString());
        assertEquals("/v1/AUTH_test/c", puts2.get(0));
        assertTrue(puts2.get(1).startsWith(JOURNAL + "/"), puts2.toString());
        assertEquals(JOURNAL, puts2.get(2), "the container, then the record again");
        assertEquals(puts2.get(1), puts2.get(3), "the same record name");
    }

    @Test
    void nothingIsRecordedWhenEveryLegConfirmed() throws Exception {
        start(b.url());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "tk");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(List.of(), journalWrites());
        assertNull(r.headers().firstValue("X-Autosync-Repair-Pending").orElse(null));
    }

    @Test
    void aPeerThatRefusesIsRecordedToo() throws Exception {
        b.answer("POST", 404); // b never got the container: the repair will create it
        start(b.url());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk", "X-Container-Read", ".r:*");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals(1, journalWrites().size());
    }

    @Test
    void aClientCannotSetChangeClocksAndTheFanOutCarriesItsOwn() throws Exception {
        start(b.url());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk", "X-Container-Meta-Color", "x",
                "X-Autosync-Clocks", "x-container-meta-color=9999999999999999-zz", "X-Autosync-Want-Clocks", "1",
                "X-Autosync-Want-Pending-To-Me", "1");
        assertEquals(204, r.statusCode(), r.body());
        RecordedRequest atLocal = local.seen.stream().filter(q -> q.getPath().equals("/v1/AUTH_test/c")).findFirst()
                .orElseThrow();
        assertNull(atLocal.getHeader("X-Autosync-Clocks"), "never to Swift");
        assertNull(atLocal.getHeader("X-Autosync-Want-Clocks"));
        assertNull(atLocal.getHeader("X-Autosync-Want-Pending-To-Me"));
        assertNull(b.seen.stream().filter(q -> q.getMethod().equals("POST")).findFirst().orElseThrow()
                .getHeader("X-Autosync-Want-Pending-To-Me"), "nor passed on to a peer");
        // (b also answers the repair worker's healthcheck probes)
        String sent = b.seen.stream().filter(q -> q.getMethod().equals("POST")).findFirst().orElseThrow()
                .getHeader("X-Autosync-Clocks");
        assertTrue(sent.matches("x-container-meta-color=[0-9]{16}-a"), sent);
        assertTrue(local.seen.stream().anyMatch(q -> q.getMethod().equals("PUT")
                && q.getPath().matches("/v1/AUTH_autosync/autosync-changes/[0-9a-f]{16}/x-container-meta-color/"
                        + "[0-9]{16}-a")), "the clock is kept here too: " + local.methods());
    }

    @Test
    void aDeleteRefusedAtAPeerAfterTheLocalCopyWentRecreatesItAndDrains() throws Exception {
        // every copy reads empty, then objects arrive at b before its DELETE: Swift says 409 there
        local.answer("HEAD", q -> new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "0")
                .addHeader("X-Container-Meta-Color", "blue").addHeader("X-Storage-Policy", "gold"));
        b.answer("DELETE", 409);
        start(b.url());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", "tk");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("a=recreated, b=draining", r.headers().firstValue("X-Autosync-Sites").orElse(null));
        assertTrue(r.body().contains("Objects arrived at b during the delete"), r.body());
        RecordedRequest again = local.seen.stream().filter(q -> q.getMethod().equals("PUT")
                && q.getPath().equals("/v1/AUTH_test/c")).findFirst().orElseThrow();
        assertEquals("AUTH_tk_service", again.getHeader("X-Auth-Token"), "re-created as the service user");
        assertEquals("blue", again.getHeader("X-Container-Meta-Color"), "from the snapshot");
        assertEquals("gold", again.getHeader("X-Storage-Policy"));
        assertEquals("//lab/b/AUTH_test/c", again.getHeader("X-Container-Sync-To"), "so that b's sync lands here");
        RecordedRequest drain = journalWrites().get(0);
        JsonNode rec = JSON.readTree(drain.getBody().readByteArray());
        assertEquals("CONTAINER_DRAIN", rec.path("op").asText());
        assertEquals("blue", rec.path("snapshot").path("x-container-meta-color").asText());
    }

    @Test
    void aDeleteRepeatedAfterTheLocalCopyWentAnswersAsItsPendingRecordStands() throws Exception {
        b.answer("DELETE", 503); // b still refuses: the record stays, whenever the worker tries it
        local.answer("HEAD", q -> new MockResponse().setResponseCode(q.getPath().startsWith("/v1/AUTH_test/c") ? 404
                : 204));
        start(b.url());
        // an earlier DELETE: the copy here went, b's leg failed and was recorded for repair
        recordedAndListed(new RepairRecord("AUTH_test", "c", RepairOp.CONTAINER_DELETE, "b", "a",
                1_800_000_000_000_000L, Set.of(), Map.of()));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (proxy.federation().repairStatus().lastPass() == null && System.nanoTime() < deadline) {
            Thread.sleep(20); // the worker's first pass, at start; the next one is an hour away
        }
        local.seen.clear();
        b.seen.clear();
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", "tk");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("a=404, b=pending", r.headers().firstValue("X-Autosync-Sites").orElse(null));
        assertTrue(r.body().contains("is deleted here; the delete is still being carried out at: b"), r.body());
        assertTrue(local.seen.stream().noneMatch(q -> q.getMethod().equals("DELETE")), "nothing deleted again here: "
                + local.methods());
        assertTrue(b.seen.stream().noneMatch(q -> q.getMethod().equals("DELETE")),
                "the repair worker carries it on at b, not this request: " + b.methods());
    }

    @Test
    void aDeleteOfAContainerGoneHereWithNothingPendingGetsSwiftsOwnAnswer() throws Exception {
        start(b.url());
        local.answer("HEAD", 404);
        local.answer("DELETE", q -> new MockResponse().setResponseCode(404).setBody("<html><h1>Not Found</h1></html>"));
        b.answer("HEAD", 404);
        b.answer("DELETE", 404);
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", "tk");
        assertEquals(404, r.statusCode(), r.body());
        assertTrue(r.body().contains("Not Found"), r.body());
        assertEquals(List.of(), journalWrites(), "nothing to carry on");
    }

    @Test
    void aClientThatMayOnlyReadCannotStartADrain() throws Exception {
        // a's copy is empty, b's is not: a delete would be recorded and finished by Autosync itself,
        // so the client must first show it may change the container, as Swift asks of a DELETE
        b.answer("HEAD", q -> new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "3"));
        local.answer("POST", q -> new MockResponse().setResponseCode(q.getPath().equals("/v1/AUTH_test/c") ? 403 : 204)
                .setBody("<html><h1>Forbidden</h1></html>"));
        start(b.url());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", "reader-token");
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("a=403", r.headers().firstValue("X-Autosync-Sites").orElse(null));
        assertEquals(List.of(), journalWrites(), "nothing recorded");
        RecordedRequest probe = local.seen.stream().filter(q -> q.getMethod().equals("POST")).findFirst().orElseThrow();
        assertEquals("reader-token", probe.getHeader("X-Auth-Token"), "asked as the client");
        assertEquals(0, probe.getBodySize());
        assertNull(probe.getHeader("X-Container-Meta-Color"));
        assertTrue(b.seen.stream().noneMatch(q -> q.getMethod().equals("DELETE")));
    }

    @Test
    void localAnswersOnceRecordedAndALegThatThenSucceedsRemovesItsRecord() throws Exception {
        try (StubSite slowB = new StubSite()) {
            // b confirms, but only after the client has its answer
            slowB.answer("POST", req -> new MockResponse().setResponseCode(204).setHeadersDelay(700,
                    java.util.concurrent.TimeUnit.MILLISECONDS));
            start(slowB.url());
            HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                    "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "local");
            assertEquals(204, r.statusCode(), r.body());
            assertEquals("a=204, b=pending", r.headers().firstValue("X-Autosync-Sites").orElse(null));
            assertEquals("b", r.headers().firstValue("X-Autosync-Repair-Pending").orElse(null));
            List<RecordedRequest> writes = journalWrites();
            assertEquals(1, writes.size(), "recorded before the answer: " + local.methods());
            String record = writes.get(0).getPath();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (local.seen.stream().noneMatch(q -> q.getMethod().equals("DELETE") && q.getPath().equals(record))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(local.seen.stream().anyMatch(q -> q.getMethod().equals("DELETE") && q.getPath().equals(record)),
                    "b confirmed: its record is removed; " + local.methods());
            assertEquals(List.of("POST"), slowB.methods());
        }
    }

    @Test
    void localAnswersAsSoonAsEveryLegConfirmedWhenThatComesBeforeTheRecordIsStored() throws Exception {
        // this site's Swift stores objects slowly; b confirms at once: the client need not wait
        // for the record, which (if it was written at all) is removed once stored
        local.answer("PUT", q -> new MockResponse().setResponseCode(201).setHeadersDelay(
                q.getPath().startsWith(JOURNAL + "/") ? 1500 : 0, java.util.concurrent.TimeUnit.MILLISECONDS));
        start(b.url());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "local");
        assertEquals(204, r.statusCode(), r.body());
        // answered on b's confirmation: with the record stored first it would say b=pending
        assertEquals("a=204, b=204", r.headers().firstValue("X-Autosync-Sites").orElse(null));
        assertNull(r.headers().firstValue("X-Autosync-Repair-Pending").orElse(null));
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (!everyRecordRemoved() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(everyRecordRemoved(), "a record, once stored, is removed: " + local.methods());
    }

    private boolean everyRecordRemoved() {
        return journalWrites().stream().allMatch(w -> local.seen.stream()
                .anyMatch(q -> q.getMethod().equals("DELETE") && q.getPath().equals(w.getPath())));
    }

    @Test
    void noRecordIsWrittenWhenEveryLegConfirmedWhileTheClocksWereStored() throws Exception {
        local.answer("PUT", q -> new MockResponse().setResponseCode(201).setHeadersDelay(
                q.getPath().startsWith("/v1/AUTH_autosync/autosync-changes/") ? 700 : 0,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        start(b.url());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "local");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("a=204, b=204", r.headers().firstValue("X-Autosync-Sites").orElse(null));
        assertEquals(List.of(), journalWrites(), "b confirmed before a record was due: none written");
    }

    @Test
    void aRecordThatCannotBeStoredIsNo503WhenEveryLegConfirmed() throws Exception {
        local.answer("PUT", q -> new MockResponse().setResponseCode(q.getPath().startsWith(JOURNAL + "/") ? 503 : 201));
        b.answer("POST", q -> new MockResponse().setResponseCode(204).setHeadersDelay(300,
                java.util.concurrent.TimeUnit.MILLISECONDS)); // the record is tried (and fails) first
        start(b.url());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "local");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("a=204, b=204", r.headers().firstValue("X-Autosync-Sites").orElse(null));
        assertEquals(1, journalWrites().size(), "the record was tried");
        Double unrecorded = Scrape.sample(proxy.metrics().scrape(), "autosync_repair_unrecorded_total");
        assertTrue(unrecorded == null || unrecorded == 0.0, "no 503 counted: " + unrecorded);
    }

    @Test
    void aLaterChangeToTheSameKeyNeverOvertakesAnEarlierLegStillInFlight() throws Exception {
        java.util.concurrent.atomic.AtomicLong putAnsweredAt = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong postArrivedAt = new java.util.concurrent.atomic.AtomicLong();
        try (StubSite slowB = new StubSite()) {
            slowB.answer("PUT", req -> {
                try {
                    Thread.sleep(700); // b applies the PUT slowly; the client has long had its answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                putAnsweredAt.set(System.nanoTime());
                return new MockResponse().setResponseCode(201);
            });
            slowB.answer("POST", req -> {
                // when the POST arrives, b must already have answered the PUT
                postArrivedAt.set(putAnsweredAt.get() == 0 ? -1 : System.nanoTime());
                return new MockResponse().setResponseCode(204);
            });
            start(slowB.url());
            HttpResponse<String> put = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                    "X-Autosync-Consistency", "local");
            assertEquals(201, put.statusCode(), put.body());
            HttpResponse<String> post = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", "tk",
                    "X-Container-Meta-Color", "blue", "X-Autosync-Consistency", "local");
            assertEquals(204, post.statusCode(), post.body());
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (postArrivedAt.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(postArrivedAt.get() != 0, "the POST reached b: " + slowB.methods());
            assertTrue(postArrivedAt.get() != -1, "the POST reached b before b had answered the PUT");
            assertTrue(postArrivedAt.get() >= putAnsweredAt.get());
        }
    }
}
