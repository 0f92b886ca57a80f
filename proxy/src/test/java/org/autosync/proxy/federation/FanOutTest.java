package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.PeerVerifier;
import org.autosync.auth.Verdict;
import org.autosync.placement.Consistency;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.RawClient;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sending side of a fan-out, in-process: this proxy serves site a; its local cluster and the
 * Autosync proxies of sites b and c are MockWebServers.
 */
class FanOutTest {
    private static final String TOKEN = "AUTH_tk_client_token";
    private static final String SITES = "X-Autosync-Sites";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private StubSite local;
    private StubSite b;
    private StubSite c;
    private AutosyncProxy proxy;

    @BeforeEach
    void stubs() throws IOException {
        local = new StubSite();
        b = new StubSite();
        c = new StubSite();
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        local.close();
        b.close();
        c.close();
    }

    /** Site a (this proxy), b and c, default placement [a, b, c], plus two rules. */
    private FederationFixture threeSites() {
        return FederationFixture.at("a")
                .site("a", URI.create("http://127.0.0.1:9"))
                .site("b", b.url())
                .site("c", c.url())
                .defaultPlacement("a", "b", "c")
                .rule("AUTH_x*", "*", "b")
                .rule("AUTH_solo*", "*", "a");
    }

    private void start(FederationFixture f) throws InterruptedException {
        proxy = TestProxy.start(local.server.getPort(), s -> s.federation(f.build()));
    }

    private HttpResponse<String> call(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofByteArray(new byte[0])
                        : HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            r.headers(headers);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Until the proxy holds this many bytes of bodies read whole (its gauge says so). */
    private void awaitBuffered(long bytes) throws InterruptedException {
        String line = "autosync_buffered_bodies_bytes " + (double) bytes;
        for (int i = 0; i < 500 && !proxy.metrics().scrape().contains(line); i++) {
            Thread.sleep(10);
        }
        assertTrue(proxy.metrics().scrape().contains(line), "never held " + bytes + " bytes");
    }

    private static String sites(HttpResponse<?> r) {
        return r.headers().firstValue(SITES).orElse(null);
    }

    private void assertNothingSentAnywhere() {
        assertEquals(List.of(), local.methods(), "local cluster");
        assertEquals(List.of(), b.methods(), "site b");
        assertEquals(List.of(), c.methods(), "site c");
    }

    // ------------------------------------------------------------------ outcomes

    @Test
    void aBodyReadWholeLargerThanMaxBodyIs413NamingTheKeyAndReachesNoSite() throws Exception {
        start(threeSites());
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("POST /v1/AUTH_test/c HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + TOKEN
                    + "\r\nContent-Length: " + (64 * 1024 + 1) + "\r\n\r\n");
            RawClient.Head head = client.readHead();
            assertEquals(413, head.status(), head.statusLine());
            String body = new String(client.readExactly(Integer.parseInt(head.header("Content-Length"))),
                    StandardCharsets.UTF_8);
            assertTrue(body.contains("65536 bytes") && body.contains("autosync.fan-out.max-body"), body);
        }
        assertNothingSentAnywhere();
    }

    @Test
    void bodiesReadWholeThatWouldPassMaxBufferedTogetherAreRefusedAndTheBytesComeBack() throws Exception {
        start(threeSites().maxBuffered(64 * 1024)); // = max-body: one whole body at a time
        String head = "POST /v1/AUTH_test/c HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + TOKEN
                + "\r\nContent-Length: %d\r\n\r\n";
        try (RawClient first = new RawClient(proxy.port()); RawClient second = new RawClient(proxy.port())) {
            first.send(String.format(head, 60_000)).send(new byte[40_000]); // 40,000 held, 20,000 to come
            awaitBuffered(40_000);
            second.send(String.format(head, 30_000)).send(new byte[30_000]);
            RawClient.Head refused = second.readHead();
            assertEquals(503, refused.status(), refused.statusLine());
            assertEquals("1", refused.header("Retry-After"));
            assertEquals("text/html; charset=UTF-8", refused.header("Content-Type"));
            String body = new String(second.readExactly(Integer.parseInt(refused.header("Content-Length"))),
                    StandardCharsets.UTF_8);
            assertTrue(body.contains("autosync.fan-out.max-buffered"), body);
            assertEquals("close", refused.header("Connection"), "the unread rest must not pass for a request");

            first.send(new byte[20_000]);
            assertEquals(204, first.readHead().status(), "the body that came first goes on");
        }
        assertEquals(List.of("POST"), local.methods(), "the refused body reached no site");
        // the bytes came back: a body as large as the whole budget fits again, and one whose
        // client went away half way gives its bytes back too
        try (RawClient gone = new RawClient(proxy.port())) {
            gone.send(String.format(head, 60_000)).send(new byte[40_000]);
            awaitBuffered(40_000);
        }
        int status = 0;
        for (int i = 0; i < 50 && status != 204; i++) {
            try (RawClient again = new RawClient(proxy.port())) {
                again.send(String.format(head, 64 * 1024)).send(new byte[64 * 1024]);
                status = again.readHead().status();
            }
            if (status != 204) {
                Thread.sleep(100); // the close may not have been seen yet
            }
        }
        assertEquals(204, status);
    }

    @Test
    void allSitesSucceedAnswersTheLocalStatusAndNamesEverySite() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("a=201, b=201, c=201", sites(r));
        assertEquals(List.of("PUT"), local.methods());
        assertEquals(List.of("PUT"), b.methods());
        assertEquals(List.of("PUT"), c.methods());
        assertEquals("/v1/AUTH_test/c", b.only().getPath());
    }

    @Test
    void localRefusalIsReturnedUnchangedAndNoOtherSiteIsTouched() throws Exception {
        local.answer("PUT", req -> new MockResponse().setResponseCode(401)
                .addHeader("X-Trans-Id", "tx-local-401")
                .setBody("<html><h1>Unauthorized</h1><p>This server could not verify...</p></html>"));
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", "bad-token");
        assertEquals(401, r.statusCode());
        assertEquals("<html><h1>Unauthorized</h1><p>This server could not verify...</p></html>", r.body());
        assertEquals("tx-local-401", r.headers().firstValue("X-Trans-Id").orElse(null));
        assertEquals("a=401", sites(r));
        assertEquals(1, local.seen.size());
        assertEquals(0, b.seen.size(), "b must not be contacted after a local refusal");
        assertEquals(0, c.seen.size(), "c must not be contacted after a local refusal");
    }

    @Test
    void peerThatDoesNotAnswerInTimeIsReportedAsTimeout() throws Exception {
        b.answer("PUT", req -> new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        start(threeSites().responseTimeout(Duration.ofMillis(500)));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("a=201, b=timeout, c=201", sites(r));
        assertTrue(r.body().contains("b: timeout"), r.body());
        assertTrue(r.body().contains("not met"), r.body());
    }

    @Test
    void peerRefusingConnectionsIsReportedAsConnectRefused() throws Exception {
        URI closed = FederationFixture.closedUrl();
        start(FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", closed)
                .site("c", c.url()));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("a=201, b=connect-refused, c=201", sites(r));
        assertTrue(r.body().contains("b: connection refused"), r.body());
    }

    @Test
    void quorumMetWithOneSiteDownAnswersSuccessAndStillNamesTheFailedSite() throws Exception {
        start(FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", b.url())
                .site("c", FederationFixture.closedUrl()));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Autosync-Consistency", "quorum");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("a=201, b=201, c=connect-refused", sites(r));
        assertNull(local.only().getHeader("X-Autosync-Consistency"), "the consistency header is ours, not Swift's");
        assertNull(b.only().getHeader("X-Autosync-Consistency"));
    }

    @Test
    void quorumNotMetAnswers503() throws Exception {
        start(FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9"))
                .site("b", FederationFixture.closedUrl()).site("c", FederationFixture.closedUrl()));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Autosync-Consistency", "QUORUM");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("a=201, b=connect-refused, c=connect-refused", sites(r));
        assertTrue(r.body().contains("consistency 'quorum' not met: 1 of 3 sites"), r.body());
    }

    @Test
    void localConsistencyIsMetByTheLocalSiteAlone() throws Exception {
        start(FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9"))
                .site("b", FederationFixture.closedUrl()).site("c", FederationFixture.closedUrl()));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Autosync-Consistency", "local");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("a=201, b=connect-refused, c=connect-refused", sites(r));
    }

    @Test
    void configuredConsistencyAppliesWhenTheClientAsksForNone() throws Exception {
        start(FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", b.url())
                .site("c", FederationFixture.closedUrl()).consistency(Consistency.QUORUM));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("a=201, b=201, c=connect-refused", sites(r));
        // and the client may still ask for more
        HttpResponse<String> all = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Autosync-Consistency", "all");
        assertEquals(503, all.statusCode(), all.body());
    }

    @Test
    void badConsistencyHeaderIs400AndNothingIsSent() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Autosync-Consistency", "most");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("X-Autosync-Consistency"), r.body());
        assertNothingSentAnywhere();
    }

    @Test
    void clientSuppliedSyncHeadersAre400AndNothingIsSent() throws Exception {
        start(threeSites());
        HttpResponse<String> to = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Container-Sync-To", "//lab/b/AUTH_test/c");
        assertEquals(400, to.statusCode());
        assertTrue(to.body().contains("X-Container-Sync-To"), to.body());
        HttpResponse<String> key = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "x-container-sync-key", "secret");
        assertEquals(400, key.statusCode());
        assertNothingSentAnywhere();
    }

    @Test
    void theOwnerMaySetSyncHeadersOnAContainerAtOneSiteOnly() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("POST", "/v1/AUTH_solo1/c", "X-Auth-Token", TOKEN,
                "X-Container-Sync-To", "//lab/b/AUTH_solo1/c", "X-Container-Sync-Key", "owner-key");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("//lab/b/AUTH_solo1/c", local.only().getHeader("X-Container-Sync-To"));
        assertEquals("owner-key", local.only().getHeader("X-Container-Sync-Key"));
    }

    @Test
    void versioningOnAContainerAtSeveralSitesIs400AndNothingIsSent() throws Exception {
        start(threeSites());
        for (String method : List.of("PUT", "POST")) {
            HttpResponse<String> r = call(method, "/v1/AUTH_test/c", "X-Auth-Token", TOKEN, "X-Versions-Enabled", "true");
            assertEquals(400, r.statusCode(), method);
            assertEquals("text/html; charset=UTF-8", r.headers().firstValue("Content-Type").orElse(null));
            assertTrue(r.body().startsWith("Cannot enable object versioning"), r.body());
        }
        assertNothingSentAnywhere();
        // versioning a container at one site is Swift's to decide
        assertEquals(204, call("POST", "/v1/AUTH_solo1/c", "X-Auth-Token", TOKEN, "X-Versions-Enabled", "true")
                .statusCode());
    }

    @Test
    void accountMetadataThatWouldNotFitAtAPeerIsRefusedBeforeAnySiteApplies() throws Exception {
        c.answer("HEAD", req -> {
            MockResponse full = new MockResponse().setResponseCode(204);
            for (int i = 0; i < 90; i++) {
                full.addHeader("X-Account-Meta-Held-" + i, "v");
            }
            return full;
        });
        start(threeSites());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test", "X-Auth-Token", TOKEN, "X-Account-Meta-New", "x");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("Too many metadata items; max 90. autosync: at site c"), r.body());
        assertEquals("c=400", sites(r));
        for (StubSite s : List.of(local, b, c)) {
            assertEquals(List.of("HEAD"), s.methods(), "only looked at");
        }
        // making room at the same time fits
        HttpResponse<String> ok = call("POST", "/v1/AUTH_test", "X-Auth-Token", TOKEN, "X-Account-Meta-New", "x",
                "X-Remove-Account-Meta-Held-0", "x");
        assertEquals(204, ok.statusCode(), ok.body());
        assertEquals("a=204, b=204, c=204", sites(ok));
    }

    @Test
    void accountDeleteIs405UnlessAllowedAndNothingIsSent() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test", "X-Auth-Token", TOKEN);
        assertEquals(405, r.statusCode(), r.body());
        assertTrue(r.body().contains("fan-out.allow-account-delete"), r.body());
        assertNothingSentAnywhere();
    }

    @Test
    void allowedAccountDeleteGoesOnlyWhenNoSiteHoldsAContainer() throws Exception {
        for (StubSite s : List.of(local, b, c)) {
            s.answer("HEAD", req -> new MockResponse().setResponseCode(204).addHeader("X-Account-Container-Count", "0"));
        }
        c.answer("HEAD", req -> new MockResponse().setResponseCode(204).addHeader("X-Account-Container-Count", "2"));
        start(threeSites().allowAccountDelete());
        HttpResponse<String> held = call("DELETE", "/v1/AUTH_test", "X-Auth-Token", TOKEN);
        assertEquals(409, held.statusCode(), held.body());
        assertTrue(held.body().contains("still holds containers at: c (2)"), held.body());
        assertEquals("a=204, b=204, c=not-empty", sites(held));
        for (StubSite s : List.of(local, b, c)) {
            assertEquals(List.of("HEAD"), s.methods(), "only looked at");
        }

        c.answer("HEAD", req -> new MockResponse().setResponseCode(204).addHeader("X-Account-Container-Count", "0"));
        HttpResponse<String> gone = call("DELETE", "/v1/AUTH_test", "X-Auth-Token", TOKEN);
        assertEquals(204, gone.statusCode(), gone.body());
        for (StubSite s : List.of(local, b, c)) {
            assertEquals(List.of("HEAD", "HEAD", "DELETE"), s.methods());
        }
    }

    @Test
    void allowedAccountDeleteNeverGoesOnAGuess() throws Exception {
        // the local HEAD fails: not known to be empty, so nothing is deleted anywhere
        local.answer("HEAD", req -> new MockResponse().setResponseCode(503));
        start(threeSites().allowAccountDelete());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("cannot tell whether account AUTH_test is empty at a"), r.body());
        for (StubSite s : List.of(local, b, c)) {
            assertTrue(s.methods().stream().noneMatch("DELETE"::equals), "deleted at " + s + ": " + s.methods());
        }
        // a site without the account has nothing to empty
        local.answer("HEAD", req -> new MockResponse().setResponseCode(204).addHeader("X-Account-Container-Count", "0"));
        b.answer("HEAD", req -> new MockResponse().setResponseCode(204).addHeader("X-Account-Container-Count", "0"));
        c.answer("HEAD", req -> new MockResponse().setResponseCode(404));
        HttpResponse<String> gone = call("DELETE", "/v1/AUTH_test", "X-Auth-Token", TOKEN);
        assertEquals(204, gone.statusCode(), gone.body());
    }

    @Test
    void overLongNamesAre400InSwiftsWordsAndNothingIsSent() throws Exception {
        start(threeSites());
        HttpResponse<String> c = call("PUT", "/v1/AUTH_test/" + "x".repeat(257), "X-Auth-Token", TOKEN);
        assertEquals(400, c.statusCode());
        assertEquals("Container name length of 257 longer than 256", c.body().strip());
        // bytes, not characters: 129 two-byte letters are 258 bytes
        HttpResponse<String> utf8 = call("PUT", "/v1/AUTH_test/" + "%C3%A9".repeat(129), "X-Auth-Token", TOKEN);
        assertEquals("Container name length of 258 longer than 256", utf8.body().strip());
        HttpResponse<String> account = call("PUT", "/v1/AUTH_" + "a".repeat(252), "X-Auth-Token", TOKEN);
        assertEquals("Account name length of 257 longer than 256", account.body().strip());
        assertNothingSentAnywhere();
    }

    @Test
    void aNameOfExactlyTheLimitIsFannedOut() throws Exception {
        start(threeSites());
        String name = "x".repeat(256);
        assertEquals(201, call("PUT", "/v1/AUTH_test/" + name, "X-Auth-Token", TOKEN).statusCode());
    }

    @Test
    void pathsSwiftRefusesAreLeftToTheLocalClusterAndNeverFannedOut() throws Exception {
        start(threeSites());
        call("PUT", "/v1/AUTH_test/bad%FFname", "X-Auth-Token", TOKEN);
        call("PUT", "/v1/AUTH_test/nul%00name", "X-Auth-Token", TOKEN);
        assertEquals(List.of("PUT", "PUT"), local.methods(), "passed through for Swift to refuse (412)");
        assertEquals(List.of(), b.methods(), "site b");
        assertEquals(List.of(), c.methods(), "site c");
    }

    @Test
    void bulkUploadAndDeleteGoToTheLocalClusterAndAreNotFannedOut() throws Exception {
        start(threeSites());
        call("PUT", "/v1/AUTH_test/c?extract-archive=tar", "X-Auth-Token", TOKEN);
        call("POST", "/v1/AUTH_test?bulk-delete", "X-Auth-Token", TOKEN);
        assertEquals(List.of("PUT", "POST"), local.methods());
        assertEquals(List.of(), b.methods(), "site b");
        assertEquals(List.of(), c.methods(), "site c");
    }

    private HttpResponse<String> bulkDelete(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(30)).header("X-Auth-Token", TOKEN)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBulkDeleteOnAnyPathUnderTheAccountIsChecked() throws Exception {
        start(threeSites());
        // Swift's bulk reads the account from the path and ignores what follows it
        for (String path : new String[] {"/v1/AUTH_test/c/o?bulk-delete", "/v1/AUTH_test/c?bulk-delete"}) {
            HttpResponse<String> r = bulkDelete("DELETE", path, "c\n");
            assertEquals(400, r.statusCode(), path + ": " + r.body());
        }
        HttpResponse<String> unreadable = bulkDelete("POST", "/v1/AUTH_test/%FF?bulk-delete", "c\n");
        assertEquals(400, unreadable.statusCode(), unreadable.body());
        assertTrue(unreadable.body().contains("nothing was deleted"), unreadable.body());
        assertEquals(List.of(), local.methods(), "none reached the local cluster");
    }

    @Test
    void aContainerDeleteThatMentionsExtractArchiveIsAContainerDelete() throws Exception {
        start(threeSites());
        // Swift's bulk acts on extract-archive only for a PUT: this is a plain container DELETE
        call("DELETE", "/v1/AUTH_test/c?extract-archive=tar", "X-Auth-Token", TOKEN);
        assertTrue(b.methods().contains("HEAD") || b.methods().contains("DELETE"),
                "fanned out, as any container DELETE: " + b.methods());
    }

    @Test
    void aBulkDeleteNamingAContainerAtSeveralSitesReachesNoSite() throws Exception {
        start(threeSites());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port()
                        + "/v1/AUTH_test?bulk-delete")).timeout(Duration.ofSeconds(30))
                .header("X-Auth-Token", TOKEN).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("c/o1\nc/o2\n/c\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("(c in AUTH_test)"), r.body());
        assertEquals(List.of(), local.methods(), "nothing of it was done here");
        assertEquals(List.of(), b.methods(), "site b");
        HttpResponse<String> objects = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + proxy.port() + "/v1/AUTH_test?bulk-delete")).timeout(Duration.ofSeconds(30))
                .header("X-Auth-Token", TOKEN).POST(HttpRequest.BodyPublishers.ofString("c/o1\nc/o2\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, objects.statusCode(), "the local stub's own answer: " + objects.body());
        assertEquals("c/o1\nc/o2\n", local.only("POST").getBody().readUtf8(), "sent on as it came");
    }

    @Test
    void aNonOwnersAclOrTempUrlKeyNeverReachesOverrideSites() throws Exception {
        start(threeSites());
        // Swift answers 2xx but drops owner-only headers for a non-owner; its HEAD shows it none
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Container-Read", ".r:*", "X-Container-Meta-Temp-URL-Key", "attacker-key",
                "X-Remove-Container-Write", "x", "X-Container-Meta-Color", "blue");
        assertEquals(204, r.statusCode(), r.body());
        for (StubSite s : List.of(b, c)) {
            RecordedRequest q = s.only();
            assertNull(q.getHeader("X-Container-Read"), "ACL the local cluster did not store");
            assertNull(q.getHeader("X-Container-Meta-Temp-URL-Key"), "temp-URL key the local cluster did not store");
            assertNull(q.getHeader("X-Remove-Container-Write"));
            assertEquals("blue", q.getHeader("X-Container-Meta-Color"), "ordinary metadata still goes");
        }
    }

    @Test
    void anOwnersAclRemovalReachesOverrideSites() throws Exception {
        // an owner's HEAD shows the sync key Autosync set on every container placed at several sites
        local.answer("HEAD", q -> new MockResponse().setResponseCode(204).addHeader("X-Container-Sync-Key", "k"));
        start(threeSites());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Remove-Container-Read", "x", "X-Container-Write", "", "X-Remove-Container-Meta-Temp-URL-Key", "x");
        assertEquals(204, r.statusCode(), r.body());
        for (StubSite s : List.of(b, c)) {
            RecordedRequest q = s.only();
            assertEquals("x", q.getHeader("X-Remove-Container-Read"), "removal at " + s);
            assertEquals("", q.getHeader("X-Container-Write"), "an empty value removes too");
            assertEquals("x", q.getHeader("X-Remove-Container-Meta-Temp-URL-Key"));
        }
    }

    @Test
    void anAccountOwnersTempUrlKeyRemovalNeedsNoReadBack() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test", "X-Auth-Token", TOKEN,
                "X-Remove-Account-Meta-Temp-URL-Key", "x");
        assertEquals(204, r.statusCode(), r.body());
        // Swift lets only owners change an account: its 2xx is the proof, no read-back after it
        assertEquals(List.of("HEAD", "POST"), local.methods(), "the HEAD before: does the metadata fit");
        for (StubSite s : List.of(b, c)) {
            assertEquals("x", s.only("POST").getHeader("X-Remove-Account-Meta-Temp-URL-Key"));
        }
    }

    @Test
    void containerPlacedElsewhereIs409NamingThePlacement() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_xyz/c", "X-Auth-Token", TOKEN);
        assertEquals(409, r.statusCode());
        assertTrue(r.body().contains("AUTH_xyz/c is placed at [b]"), r.body());
        assertTrue(r.body().contains("this site (a)"), r.body());
        assertNothingSentAnywhere();
    }

    @Test
    void peerAnsweringAuthFailedIsReportedAsAuthFailed() throws Exception {
        b.answer("PUT", req -> new MockResponse().setResponseCode(503)
                .addHeader("X-Autosync-Error", "auth-failed").setBody("autosync: site b cannot log in"));
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("a=201, b=auth-failed, c=201", sites(r));
        assertTrue(r.body().contains("b: authentication failed"), r.body());
    }

    @Test
    void peerHttpErrorIsReportedWithItsStatus() throws Exception {
        c.answer("PUT", 507);
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("a=201, b=201, c=507", sites(r));
    }

    // ------------------------------------------------------------------ sync headers

    @Test
    void syncHeadersFormARingWithOneKeyForAllCopies() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        String key = FederationFixture.expectedSyncKey("AUTH_test", "c");
        assertEquals("//lab/b/AUTH_test/c", local.only().getHeader("X-Container-Sync-To"));
        assertEquals("//lab/c/AUTH_test/c", b.only().getHeader("X-Container-Sync-To"));
        assertEquals("//lab/a/AUTH_test/c", c.only().getHeader("X-Container-Sync-To"));
        assertEquals(key, local.only().getHeader("X-Container-Sync-Key"));
        assertEquals(key, b.only().getHeader("X-Container-Sync-Key"));
        assertEquals(key, c.only().getHeader("X-Container-Sync-Key"));
    }

    @Test
    void postResendsTheSyncHeaders() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Container-Meta-Color", "blue");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("a=204, b=204, c=204", sites(r));
        String key = FederationFixture.expectedSyncKey("AUTH_test", "c");
        for (StubSite s : List.of(local, b, c)) {
            RecordedRequest q = s.only();
            assertEquals("POST", q.getMethod());
            assertEquals("blue", q.getHeader("X-Container-Meta-Color"));
            assertEquals(key, q.getHeader("X-Container-Sync-Key"));
        }
        assertEquals("//lab/b/AUTH_test/c", local.only().getHeader("X-Container-Sync-To"));
        assertEquals("//lab/c/AUTH_test/c", b.only().getHeader("X-Container-Sync-To"));
        assertEquals("//lab/a/AUTH_test/c", c.only().getHeader("X-Container-Sync-To"));
    }

    @Test
    void syncTargetQuotesNamesAndTheKeyIsTheSameEverywhere() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/caf%C3%A9%20x", "X-Auth-Token", TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("//lab/b/AUTH_test/caf%C3%A9%20x", local.only().getHeader("X-Container-Sync-To"));
        assertEquals("//lab/c/AUTH_test/caf%C3%A9%20x", b.only().getHeader("X-Container-Sync-To"));
        String k = local.only().getHeader("X-Container-Sync-Key");
        assertEquals(k, b.only().getHeader("X-Container-Sync-Key"));
        assertEquals(k, c.only().getHeader("X-Container-Sync-Key"));
        assertEquals("/v1/AUTH_test/caf%C3%A9%20x", b.only().getPath());
    }

    @Test
    void singleSitePlacementGetsNoSyncHeadersAndNoPeers() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("PUT", "/v1/AUTH_solo1/c", "X-Auth-Token", TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("a=201", sites(r));
        assertNull(local.only().getHeader("X-Container-Sync-To"));
        assertNull(local.only().getHeader("X-Container-Sync-Key"));
        assertEquals(0, b.seen.size());
        assertEquals(0, c.seen.size());
    }

    @Test
    void accountPostFansOutWithoutSyncHeaders() throws Exception {
        start(threeSites());
        HttpResponse<String> r = call("POST", "/v1/AUTH_test", "X-Auth-Token", TOKEN,
                "X-Account-Meta-Owner", "ops");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("a=204, b=204, c=204", sites(r));
        for (StubSite s : List.of(local, b, c)) {
            // a HEAD first: does the metadata fit at every site
            assertEquals(List.of("HEAD", "POST"), s.methods());
            assertEquals("ops", s.only("POST").getHeader("X-Account-Meta-Owner"));
            assertNull(s.only("POST").getHeader("X-Container-Sync-To"));
        }
    }

    @Test
    void readsAndObjectWritesAreNotFannedOut() throws Exception {
        start(threeSites());
        assertEquals(200, call("GET", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN).statusCode());
        assertEquals(201, call("PUT", "/v1/AUTH_test/c/o", "X-Auth-Token", TOKEN).statusCode());
        assertEquals(List.of("GET", "PUT"), local.methods());
        assertEquals(0, b.seen.size());
        assertEquals(0, c.seen.size());
        assertNull(local.seen.get(1).getHeader("X-Container-Sync-To"));
    }

    // ------------------------------------------------------------------ what peers receive

    @Test
    void peerRequestsAreSignedAndCarryNoClientCredentials() throws Exception {
        start(threeSites());
        // the client owns the container: the local cluster shows it the ACL it stored
        local.answer("HEAD", q -> new MockResponse().setResponseCode(204).addHeader("X-Container-Read", ".r:*")
                .addHeader("X-Container-Sync-Key", "k"));
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c?x=1", "X-Auth-Token", TOKEN,
                "X-Storage-Token", TOKEN, "X-Container-Meta-Color", "blue",
                "X-Container-Read", ".r:*");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(List.of("PUT", "HEAD"), local.methods(), "the ACL is read back before it goes further");
        assertEquals(TOKEN, local.seen.get(0).getHeader("X-Auth-Token"), "the local cluster decides on the client token");
        assertEquals(TOKEN, local.seen.get(1).getHeader("X-Auth-Token"), "and shows owner headers to owners only");
        assertNull(local.seen.get(0).getHeader(PeerHeaders.SIGNATURE), "the local cluster gets no peer headers");
        for (StubSite s : List.of(b, c)) {
            String target = s == b ? "b" : "c";
            PeerVerifier verifier = new PeerVerifier(target, Set.of("a"),
                    List.of(FederationFixture.PEER_SECRET.getBytes(StandardCharsets.UTF_8)));
            RecordedRequest q = s.only();
            Headers h = q.getHeaders();
            assertNull(h.get("X-Auth-Token"), "client token must not reach a peer");
            assertNull(h.get("X-Storage-Token"));
            for (String name : PeerHeaders.ALL) {
                assertNotNull(h.get(name), name + " on the request to a peer");
            }
            assertEquals("a", h.get(PeerHeaders.SITE));
            assertEquals("blue", h.get("X-Container-Meta-Color"));
            assertEquals(".r:*", h.get("X-Container-Read"));
            assertEquals("/v1/AUTH_test/c?x=1", q.getPath());
            Verdict v = verifier.verify(q.getMethod(), q.getPath(), h::get);
            assertTrue(v.isVerified(), "signature must verify with the shared secret: " + v);
            PeerVerifier elsewhere = new PeerVerifier(s == b ? "c" : "b", Set.of("a"),
                    List.of(FederationFixture.PEER_SECRET.getBytes(StandardCharsets.UTF_8)));
            assertTrue(elsewhere.verify(q.getMethod(), q.getPath(), h::get).isRejected(),
                    "a request signed for " + target + " must not verify anywhere else");
            String signed = h.get(PeerHeaders.SIGNED_HEADERS);
            for (String covered : List.of("x-container-meta-color", "x-container-read", "x-container-sync-to",
                    "x-container-sync-key")) {
                assertTrue(List.of(signed.split(",")).contains(covered), covered + " must be signed: " + signed);
            }
        }
    }

    // ------------------------------------------------------------------ delete

    @Test
    void deleteRefusedWhenAPeerStillHoldsObjectsAndNothingIsDeleted() throws Exception {
        b.answer("HEAD", req -> new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "3"));
        start(threeSites());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(409, r.statusCode(), r.body());
        assertTrue(r.body().contains("not empty at: b (3 objects)"), r.body());
        assertEquals("a=empty, b=not-empty, c=empty", sites(r));
        assertEquals(List.of("HEAD"), local.methods());
        assertEquals(List.of("HEAD"), b.methods());
        assertEquals(List.of("HEAD"), c.methods());
        assertNull(b.only().getHeader("X-Auth-Token"));
        assertEquals(TOKEN, local.only().getHeader("X-Auth-Token"));
    }

    @Test
    void deleteRefusedWhenTheLocalCopyHoldsObjects() throws Exception {
        local.answer("HEAD", req -> new MockResponse().setResponseCode(204)
                .addHeader("X-Container-Object-Count", "1"));
        start(threeSites());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(409, r.statusCode(), r.body());
        assertTrue(r.body().contains("a (1 object)"), r.body());
        assertTrue(List.of(local.methods(), b.methods(), c.methods()).stream().noneMatch(m -> m.contains("DELETE")));
    }

    @Test
    void deleteOfEmptyContainerHappensEverywhereAndAPeer404CountsAsDone() throws Exception {
        c.answer("HEAD", 404);
        c.answer("DELETE", 404);
        start(threeSites());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("a=204, b=204, c=404", sites(r));
        assertEquals(List.of("HEAD", "DELETE"), local.methods());
        assertEquals(List.of("HEAD", "DELETE"), b.methods());
        assertEquals(List.of("HEAD", "DELETE"), c.methods());
    }

    @Test
    void deleteRefusedWhenAPeerCannotBeCheckedUnlessConsistencyIsLocal() throws Exception {
        c.answer("HEAD", 503);
        start(threeSites());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("cannot tell whether container AUTH_test/c is empty at: c (503)"), r.body());
        assertEquals(List.of("HEAD"), local.methods(), "nothing deleted anywhere");
        assertEquals(List.of("HEAD"), b.methods());

        HttpResponse<String> anyway = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN,
                "X-Autosync-Consistency", "local");
        assertEquals(204, anyway.statusCode(), anyway.body());
        assertEquals(List.of("HEAD", "HEAD", "DELETE"), local.methods());
    }

    @Test
    void deleteWhoseLocalHeadFailsGivesTheLocalDeleteAnswer() throws Exception {
        local.answer("HEAD", 404);
        local.answer("DELETE", 404);
        start(threeSites());
        HttpResponse<String> r = call("DELETE", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(404, r.statusCode(), r.body());
        assertEquals("a=404", sites(r));
        assertEquals(List.of("HEAD", "DELETE"), local.methods());
        assertTrue(b.methods().stream().noneMatch("DELETE"::equals), "no DELETE at b: " + b.methods());
    }

    // ------------------------------------------------------------------ metrics

    @Test
    void fanOutOutcomesAreCountedPerSite() throws Exception {
        start(FederationFixture.at("a").site("a", URI.create("http://127.0.0.1:9")).site("b", b.url())
                .site("c", FederationFixture.closedUrl()));
        call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        String scrape = proxy.metrics().scrape();
        assertEquals(2.0, Scrape.sample(scrape, "autosync_fanout_total", "method", "PUT", "site", "b",
                "outcome", "ok"), scrape);
        assertEquals(2.0, Scrape.sample(scrape, "autosync_fanout_total", "method", "PUT", "site", "a",
                "outcome", "ok"), scrape);
        // c: refused, or (once its health checks and calls failed twice) skipped as down
        Double refused = Scrape.sample(scrape, "autosync_fanout_total", "method", "PUT", "site", "c",
                "outcome", "connect_refused");
        Double down = Scrape.sample(scrape, "autosync_fanout_total", "method", "PUT", "site", "c", "outcome", "down");
        assertEquals(2.0, (refused == null ? 0 : refused) + (down == null ? 0 : down), scrape);
        assertEquals(2.0, Scrape.sample(scrape, "autosync_fanout_results_total", "satisfied", "false"), scrape);
        assertEquals(1.0, Scrape.sample(scrape, "autosync_peer_up", "site", "b"), scrape);
    }

    @Test
    void aPeerThatIsDownIsNotTriedUntilItsHealthCheckPasses() throws Exception {
        b.healthy = false;
        start(threeSites().peerHealth(Duration.ofMillis(100), 2));
        // two failed checks in a row: b is down
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (b.healthChecks.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        HttpResponse<String> r = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("a=201, b=down, c=201", sites(r));
        assertTrue(r.body().contains("b: down"), r.body());
        assertEquals(List.of(), b.methods(), "b was not tried");
        assertEquals(0.0, Scrape.sample(proxy.metrics().scrape(), "autosync_peer_up", "site", "b"));
        // b's check passes again: it is tried again
        b.healthy = true;
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Scrape.sample(proxy.metrics().scrape(), "autosync_peer_up", "site", "b") != 1.0
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        HttpResponse<String> again = call("PUT", "/v1/AUTH_test/c", "X-Auth-Token", TOKEN);
        assertEquals("a=201, b=201, c=201", sites(again), again.body());
    }

    // ------------------------------------------------------------------ non-ASCII bytes from clients

    /**
     * Swift clients send UTF-8 metadata values as raw bytes (python-swiftclient encodes them).
     * They must reach the local cluster and the peers byte for byte.
     */
    @Test
    void utf8MetadataValueReachesEverySiteUnchanged() throws Exception {
        start(threeSites());
        String request = "POST /v1/AUTH_test/c HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + TOKEN
                + "\r\nX-Container-Meta-Color: caf\u00e9 \u65e5\u672c\r\nContent-Length: 0\r\n\r\n";
        int status;
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(request.getBytes(StandardCharsets.UTF_8));
            status = client.readHead().status();
        }
        // MockWebServer decodes header lines as UTF-8
        assertEquals("caf\u00e9 \u65e5\u672c", local.only().getHeader("X-Container-Meta-Color"),
                "metadata value at the local cluster");
        assertEquals("caf\u00e9 \u65e5\u672c", b.only().getHeader("X-Container-Meta-Color"),
                "metadata value at peer b");
        assertEquals(204, status);
    }

    /**
     * A container name sent as raw UTF-8 bytes in the request line (accepted by Swift, which treats
     * it exactly like its %-escaped form) must create the same container as the escaped form.
     */
    @Test
    void rawUtf8ContainerNameCreatesTheSameContainerAsItsEscapedForm() throws Exception {
        start(threeSites());
        String request = "PUT /v1/AUTH_test/caf\u00e9 HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + TOKEN
                + "\r\nContent-Length: 0\r\n\r\n";
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(request.getBytes(StandardCharsets.UTF_8));
            client.readHead();
        }
        RecordedRequest atLocal = local.only();
        assertEquals(List.of("v1", "AUTH_test", "caf\u00e9"), atLocal.getRequestUrl().pathSegments(),
                "container name at the local cluster (request line " + atLocal.getRequestLine() + ")");
        assertEquals("//lab/b/AUTH_test/caf%C3%A9", atLocal.getHeader("X-Container-Sync-To"));
        assertEquals(FederationFixture.expectedSyncKey("AUTH_test", "caf\u00e9"),
                atLocal.getHeader("X-Container-Sync-Key"));
    }
}
