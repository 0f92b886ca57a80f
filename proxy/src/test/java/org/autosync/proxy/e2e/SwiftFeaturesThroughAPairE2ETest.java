package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.FanOutSwiftSite.containerPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.header;
import static org.autosync.proxy.e2e.FanOutSwiftSite.objectPath;
import static org.autosync.proxy.e2e.FanOutSwiftSite.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.autosync.proxy.AutosyncProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Each client-visible feature of the lab's pipeline, tried the same way twice: through proxy a of
 * the pair (its containers placed at a and b, synced) and straight at Swift a. What the client
 * sees (statuses, bodies, the headers that carry the feature) must be the same, but for the
 * deliberate differences README lists.
 */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class SwiftFeaturesThroughAPairE2ETest {
    private static final FanOutSwiftSite SWIFT_A = new FanOutSwiftSite("a", URI.create("http://127.0.0.1:8081"));
    private static final FanOutSwiftSite SWIFT_B = new FanOutSwiftSite("b", URI.create("http://127.0.0.1:8082"));
    private static LabPair lab;
    private static AutosyncProxy proxyA;

    /** Where a scenario runs: through the pair or straight at Swift a. */
    private record Target(String label, URI base) {
    }

    @BeforeAll
    static void startPair() throws Exception {
        SWIFT_A.assertUp();
        SWIFT_B.assertUp();
        lab = LabPair.start("features-e2e-sync-key-secret-01", "features-e2e-peer-secret-012345", "");
        proxyA = lab.a;
    }

    @AfterAll
    static void stopPair() {
        lab.close();
    }

    @AfterEach
    void cleanup() {
        SWIFT_A.cleanup();
        SWIFT_B.cleanup();
    }

    private static Target pair() {
        return new Target("through the pair", URI.create("http://127.0.0.1:" + proxyA.port()));
    }

    private static Target direct() {
        return new Target("straight at Swift a", SWIFT_A.base);
    }

    private static HttpResponse<byte[]> call(Target t, String method, String path, String body, String... headers) {
        return call(t, true, method, path, body, headers);
    }

    private static HttpResponse<byte[]> call(Target t, boolean token, String method, String path, String body,
                                             String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(t.base().resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token) {
            b.header("X-Auth-Token", SWIFT_A.token());
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return FanOutSwiftSite.send(b);
    }

    /** A new container at the target, tracked for cleanup at both sites. */
    private static String container(Target t, String hint, String... headers) {
        String c = FanOutSwiftSite.unique(hint);
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        HttpResponse<byte[]> r = call(t, "PUT", containerPath(c), "", headers);
        assertEquals(201, r.statusCode(), t.label() + ": " + text(r));
        return c;
    }

    /** Runs {@code scenario} at both targets; what the client saw must be the same. */
    private static void same(Scenario scenario) throws Exception {
        List<String> viaPair = scenario.run(pair());
        List<String> straight = scenario.run(direct());
        assertEquals(straight, viaPair, "through the pair vs straight at Swift a");
    }

    @FunctionalInterface
    private interface Scenario {
        List<String> run(Target t) throws Exception;
    }

    /** The signature with its first digit changed: always a different one (a hex digest need not hold an 'a'). */
    private static String tampered(String sig) {
        return (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
    }

    private static String seen(HttpResponse<byte[]> r) {
        return r.statusCode() + (r.body().length > 0 && r.statusCode() / 100 == 2 ? " " + text(r) : "");
    }

    @Test
    void staticLargeObjects() throws Exception {
        same(t -> {
            String c = container(t, "slo");
            List<String> s = new ArrayList<>();
            s.add(seen(call(t, "PUT", objectPath(c, "seg1"), "aaaa")));
            s.add(seen(call(t, "PUT", objectPath(c, "seg2"), "bbbb")));
            String manifest = "[{\"path\": \"/" + c + "/seg1\"}, {\"path\": \"/" + c + "/seg2\"}]";
            s.add(call(t, "PUT", objectPath(c, "big") + "?multipart-manifest=put", manifest).statusCode() + "");
            s.add(seen(call(t, "GET", objectPath(c, "big"), null)));
            s.add(call(t, "DELETE", objectPath(c, "big") + "?multipart-manifest=delete", null).statusCode() + "");
            s.add(call(t, "HEAD", objectPath(c, "seg1"), null).statusCode() + "");
            return s;
        });
    }

    @Test
    void dynamicLargeObjectsAndSymlinks() throws Exception {
        same(t -> {
            String c = container(t, "dlo");
            List<String> s = new ArrayList<>();
            call(t, "PUT", objectPath(c, "part-1"), "hello ");
            call(t, "PUT", objectPath(c, "part-2"), "world");
            s.add(seen(call(t, "PUT", objectPath(c, "whole"), "", "X-Object-Manifest", c + "/part-")));
            s.add(seen(call(t, "GET", objectPath(c, "whole"), null)));
            s.add(seen(call(t, "PUT", objectPath(c, "link"), "", "X-Symlink-Target", c + "/part-1")));
            s.add(seen(call(t, "GET", objectPath(c, "link"), null)));
            HttpResponse<byte[]> raw = call(t, "HEAD", objectPath(c, "link") + "?symlink=get", null);
            s.add(raw.statusCode() + " " + header(raw, "X-Symlink-Target").replace(c, "<container>"));
            return s;
        });
    }

    @Test
    void tempUrlsWithAContainerKey() throws Exception {
        same(t -> {
            String c = container(t, "tempurl");
            List<String> s = new ArrayList<>();
            s.add(call(t, "POST", containerPath(c), null, "X-Container-Meta-Temp-URL-Key", "the-key").statusCode() + "");
            call(t, "PUT", objectPath(c, "o"), "secret body");
            long expires = Instant.now().getEpochSecond() + 300;
            String path = objectPath(c, "o");
            String sig = hmac("the-key", "GET\n" + expires + "\n" + path);
            s.add(seen(call(t, false, "GET", path + "?temp_url_sig=" + sig + "&temp_url_expires=" + expires, null)));
            s.add(call(t, false, "GET", path + "?temp_url_sig=" + tampered(sig) + "&temp_url_expires=" + expires,
                    null).statusCode() + "");
            return s;
        });
    }

    @Test
    void staticWebAndPublicReadAcls() throws Exception {
        same(t -> {
            String c = container(t, "web");
            List<String> s = new ArrayList<>();
            call(t, "PUT", objectPath(c, "index.html"), "<h1>hi</h1>", "Content-Type", "text/html");
            s.add(call(t, false, "GET", objectPath(c, "index.html"), null).statusCode() + "");
            s.add(call(t, "POST", containerPath(c), null, "X-Container-Read", ".r:*,.rlistings",
                    "X-Container-Meta-Web-Index", "index.html").statusCode() + "");
            s.add(seen(call(t, false, "GET", containerPath(c) + "/", null)));
            s.add(seen(call(t, false, "GET", objectPath(c, "index.html"), null)));
            s.add(call(t, "POST", containerPath(c), null, "X-Remove-Container-Read", "x").statusCode() + "");
            s.add(call(t, false, "GET", objectPath(c, "index.html"), null).statusCode() + "");
            return s;
        });
    }

    @Test
    void containerQuotasAndExpiringObjects() throws Exception {
        same(t -> {
            String c = container(t, "quota", "X-Container-Meta-Quota-Count", "1");
            List<String> s = new ArrayList<>();
            s.add(call(t, "PUT", objectPath(c, "one"), "1", "X-Delete-After", "1").statusCode() + "");
            s.add(call(t, "PUT", objectPath(c, "two"), "2").statusCode() + "");
            Thread.sleep(2100);
            s.add(call(t, "GET", objectPath(c, "one"), null).statusCode() + "");
            return s;
        });
    }

    @Test
    void legacyVersioningWithAHistoryLocation() throws Exception {
        same(t -> {
            String archive = container(t, "archive");
            String c = container(t, "history", "X-History-Location", archive);
            List<String> s = new ArrayList<>();
            s.add(call(t, "PUT", objectPath(c, "o"), "v1").statusCode() + "");
            s.add(call(t, "PUT", objectPath(c, "o"), "v2").statusCode() + "");
            s.add(seen(call(t, "GET", objectPath(c, "o"), null)));
            HttpResponse<byte[]> listing = call(t, "GET", containerPath(archive) + "?format=json", null);
            s.add(listing.statusCode() + " " + (text(listing).split("\"name\"").length - 1) + " archived");
            // history mode keeps a delete marker for a DELETE: off again, so the cleanup can empty it
            s.add(call(t, "POST", containerPath(c), null, "X-Remove-History-Location", "x").statusCode() + "");
            return s;
        });
    }

    @Test
    void bulkDeletesOfObjects() throws Exception {
        same(t -> {
            String c = container(t, "bulk");
            List<String> s = new ArrayList<>();
            call(t, "PUT", objectPath(c, "o1"), "one");
            call(t, "PUT", objectPath(c, "o 2"), "two");
            HttpResponse<byte[]> r = call(t, "POST", "/v1/" + FanOutSwiftSite.ACCOUNT + "?bulk-delete",
                    c + "/o1\n/" + c + "/o%202\n" + c + "/missing\n", "Content-Type", "text/plain",
                    "Accept", "application/json");
            s.add(r.statusCode() + " " + text(r).strip());
            s.add(call(t, "GET", containerPath(c), null).statusCode() + "");
            return s;
        });
    }

    @Test
    void aBulkDeleteNamingASyncedContainerIsRefusedAndDeletesNothing() {
        String c = container(pair(), "bulk-container");
        assertEquals(201, call(pair(), "PUT", objectPath(c, "o"), "kept").statusCode());
        HttpResponse<byte[]> r = call(pair(), "DELETE", "/v1/" + FanOutSwiftSite.ACCOUNT + "?bulk-delete",
                c + "/o\n" + c + "\n", "Content-Type", "text/plain");
        assertEquals(400, r.statusCode(), text(r));
        assertTrue(text(r).contains("cannot delete containers placed at several sites (" + c), text(r));
        assertEquals(200, SWIFT_A.get(objectPath(c, "o")).statusCode(),
                "not even the object went: nothing of a refused bulk delete is done");
        assertEquals(204, SWIFT_B.head(containerPath(c)).statusCode(), "b's copy is there");
        // Swift alone deletes an empty container named in a bulk delete: through the pair, DELETE it
        assertEquals(200, call(pair(), "POST", "/v1/" + FanOutSwiftSite.ACCOUNT + "?bulk-delete", c + "/o",
                "Content-Type", "text/plain").statusCode());
        int deleted = call(pair(), "DELETE", containerPath(c), null).statusCode();
        assertTrue(deleted == 204 || deleted == 202, "deleted, or draining while b's copy syncs: " + deleted);
    }

    @Test
    void objectVersioningIsTheOneDeliberateDifference() {
        HttpResponse<byte[]> straight = call(direct(), "PUT", containerPath(track("versions")), "",
                "X-Versions-Enabled", "true");
        assertEquals(201, straight.statusCode(), text(straight));
        HttpResponse<byte[]> viaPair = call(pair(), "PUT", containerPath(track("versions")), "",
                "X-Versions-Enabled", "true");
        assertEquals(400, viaPair.statusCode(), text(viaPair));
        assertTrue(text(viaPair).startsWith("Cannot enable object versioning"), text(viaPair));
    }

    private static String track(String hint) {
        String c = FanOutSwiftSite.unique(hint);
        SWIFT_A.track(c);
        SWIFT_B.track(c);
        return c;
    }

    private static String hmac(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }
}
