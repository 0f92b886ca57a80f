package org.autosync.proxy.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.autosync.auth.PeerSigner;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.config.Settings;
import org.autosync.proxy.config.SettingsException;
import org.autosync.proxy.e2e.SecurityWire;
import org.autosync.proxy.e2e.SecurityWire.Request;
import org.autosync.proxy.e2e.SecurityWire.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * No secret ever appears in a log line, a metric or an error body. Two sites, each proxy in front
 * of stub clusters and a stub tempauth, run with unique secret strings: the peer secret (current
 * and previous), the sync-key secret, the service users' keys and the tokens their logins get,
 * and a client's token. The test drives normal traffic, a failing service login, refused peer
 * requests, failing clusters and broken configurations, records every log event (all levels),
 * every /metrics and /healthcheck answer and every response, and searches them all.
 */
class SecretsNeverLeakTest {
    private static final String PEER_SECRET = secret("leakcheck-peer-secret-");
    private static final String PEER_SECRET_PREVIOUS = secret("leakcheck-peer-previous-");
    private static final String SYNC_SECRET = secret("leakcheck-sync-secret-");
    private static final String SERVICE_KEY_A = secret("leakcheck-service-key-a-");
    private static final String SERVICE_KEY_B = secret("leakcheck-service-key-b-");
    private static final String WRONG_SERVICE_KEY = secret("leakcheck-wrong-service-key-");
    private static final String SERVICE_TOKEN_A = secret("AUTH_tk_leakcheck_service_a_");
    private static final String SERVICE_TOKEN_B = secret("AUTH_tk_leakcheck_service_b_");
    private static final String CLIENT_TOKEN = secret("AUTH_tk_leakcheck_client_");
    private static final String TEMP_URL_SIG = secret("leakcheck0tempurl0sig0");
    /** Length of the random part that ends every secret. */
    private static final int RANDOM = 16;

    private static String secret(String prefix) {
        return prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static {
        SECRETS.put("peer secret", PEER_SECRET);
        SECRETS.put("previous peer secret", PEER_SECRET_PREVIOUS);
        SECRETS.put("sync-key secret", SYNC_SECRET);
        SECRETS.put("service key of a", SERVICE_KEY_A);
        SECRETS.put("service key of b", SERVICE_KEY_B);
        SECRETS.put("wrong service key", WRONG_SERVICE_KEY);
        SECRETS.put("service token of a", SERVICE_TOKEN_A);
        SECRETS.put("service token of b", SERVICE_TOKEN_B);
        SECRETS.put("client token", CLIENT_TOKEN);
    }

    private final List<String> logs = new ArrayList<>();
    private final List<String> seen = new ArrayList<>(); // every response, scrape and console line
    private AppenderBase<ILoggingEvent> appender;
    private final Map<String, Level> savedLevels = new LinkedHashMap<>();

    private StubSite clusterA;
    private StubSite clusterB;
    private StubSite authA;
    private StubSite authB;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void captureEveryLogEvent() throws IOException {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (String name : List.of(Logger.ROOT_LOGGER_NAME, "org.autosync", "autosync", "autosync.access")) {
            Logger l = ctx.getLogger(name);
            savedLevels.put(name, l.getLevel());
            l.setLevel(name.equals(Logger.ROOT_LOGGER_NAME) ? Level.DEBUG : Level.ALL);
        }
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLoggerName().startsWith("okhttp3") || e.getLoggerName().startsWith("io.netty")) {
                    return; // the stubs' and the JDK-side client's own logs, not the proxy's
                }
                StringBuilder sb = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " - "
                        + e.getFormattedMessage());
                if (e.getArgumentArray() != null) {
                    for (Object a : e.getArgumentArray()) {
                        sb.append(" | arg: ").append(a);
                    }
                }
                e.getMDCPropertyMap().forEach((k, v) -> sb.append(" | mdc ").append(k).append('=').append(v));
                if (e.getThrowableProxy() != null) {
                    sb.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
                }
                synchronized (logs) {
                    logs.add(sb.toString());
                }
            }
        };
        appender.setName("secrets-never-leak");
        appender.setContext(ctx);
        appender.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);

        clusterA = new StubSite();
        clusterB = new StubSite();
        authA = tempauth(SERVICE_KEY_A, SERVICE_TOKEN_A);
        authB = tempauth(SERVICE_KEY_B, SERVICE_TOKEN_B);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        for (StubSite s : List.of(clusterA, clusterB, authA, authB)) {
            s.close();
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        appender.stop();
        savedLevels.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
    }

    /** Tempauth that knows one user key; the login answer carries the token, as Swift's does. */
    private static StubSite tempauth(String key, String token) throws IOException {
        StubSite s = new StubSite();
        s.answer("GET", r -> key.equals(r.getHeader("X-Auth-Key"))
                ? new MockResponse().setResponseCode(200).addHeader("X-Auth-Token", token)
                        .addHeader("X-Storage-Token", token).addHeader("X-Auth-Token-Expires", "3600")
                        .addHeader("X-Storage-Url", "http://127.0.0.1:1/v1/AUTH_admin")
                : new MockResponse().setResponseCode(401)
                        .setBody("<html><h1>Unauthorized</h1><p>This server could not verify that you are "
                                + "authorized to access the document you requested.</p></html>"));
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String hocon(String site, int port, URI cluster, URI auth, String serviceKey, int portA, int portB) {
        return """
                autosync {
                  listen = "127.0.0.1:%d"
                  admin-listen = "127.0.0.1:0"
                  local-cluster = "%s"
                  event-loop-threads = 2
                  site = %s
                  sites {
                    a { url = "http://127.0.0.1:%d", realm-cluster = a }
                    b { url = "http://127.0.0.1:%d", realm-cluster = b }
                  }
                  sync-realm = lab
                  sync-key-secret = "%s"
                  peer-secret { current = "%s", previous = "%s" }
                  service-credentials { auth-url = "%s/auth/v1.0", user = "admin:admin", key = "%s" }
                  placement { default = [a, b] }
                  fan-out { connect-timeout = 2s, response-timeout = 10s }
                }
                """.formatted(port, cluster, site, portA, portB, SYNC_SECRET, PEER_SECRET, PEER_SECRET_PREVIOUS,
                auth, serviceKey);
    }

    private AutosyncProxy start(String hocon) throws InterruptedException {
        AutosyncProxy p = AutosyncProxy.start(Settings.fromConfig(ConfigFactory.parseString(hocon)));
        closeables.add(p);
        return p;
    }

    /** Proxies a and b as peers; b's service key is {@code keyB}. Returns {a, b}. */
    private AutosyncProxy[] federation(String keyB) throws Exception {
        int pa = freePort();
        int pb = freePort();
        AutosyncProxy b = start(hocon("b", pb, clusterB.url(), authB.url(), keyB, pa, pb));
        AutosyncProxy a = start(hocon("a", pa, clusterA.url(), authA.url(), SERVICE_KEY_A, pa, pb));
        return new AutosyncProxy[] {a, b};
    }

    private Response send(AutosyncProxy p, Request r) {
        Response resp = SecurityWire.send(p.port(), r);
        seen.add("response to " + r + ":\n" + resp.everything());
        return resp;
    }

    private Response client(AutosyncProxy p, String method, String path, String... headers) {
        Request r = Request.of(method, path).add("X-Auth-Token", CLIENT_TOKEN);
        for (int i = 0; i < headers.length; i += 2) {
            r = r.add(headers[i], headers[i + 1]);
        }
        return send(p, r);
    }

    private void scrapeAdmin(AutosyncProxy p) {
        for (String path : List.of("/metrics", "/healthcheck")) {
            Response r = SecurityWire.send(p.adminPort(), Request.of("GET", path));
            seen.add("admin " + path + ":\n" + r.everything());
        }
        seen.add("metrics():\n" + p.metrics().scrape());
    }

    /** Every place a secret could surface, searched for each secret and for the random half of it. */
    private void assertNoSecretAnywhere() {
        List<String> leaks = new ArrayList<>();
        List<String> all = new ArrayList<>();
        synchronized (logs) {
            logs.forEach(l -> all.add("log: " + l));
        }
        seen.forEach(s -> all.add(s));
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            String value = secret.getValue();
            String tail = value.substring(value.length() - RANDOM);
            for (String text : all) {
                if (text.contains(value) || text.contains(tail)) {
                    leaks.add(secret.getKey() + " in " + abbreviate(text, value, tail));
                }
            }
        }
        assertEquals(List.of(), leaks, leaks.size() + " leak(s)");
    }

    private static String abbreviate(String text, String value, String tail) {
        int at = text.contains(value) ? text.indexOf(value) : text.indexOf(tail);
        int from = Math.max(0, at - 160);
        int to = Math.min(text.length(), at + value.length() + 80);
        return (from > 0 ? "..." : "") + text.substring(from, to).replace('\n', ' ') + (to < text.length() ? "..." : "");
    }

    private PeerSigner signer(String site, String secret, Duration offset) {
        return new PeerSigner(site, secret.getBytes(StandardCharsets.UTF_8), Clock.offset(Clock.systemUTC(), offset));
    }

    // ------------------------------------------------------------------ the scanner itself

    @Test
    void theScannerFindsASecretThatIsLogged() {
        // without this the test below could pass because nothing was captured at all
        org.slf4j.Logger l = LoggerFactory.getLogger("org.autosync.proxy.canary");
        l.debug("canary {}", "x-" + SERVICE_KEY_B.substring(SERVICE_KEY_B.length() - RANDOM));
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                this::assertNoSecretAnywhere);
        assertTrue(e.getMessage().contains("service key of b in log: DEBUG org.autosync.proxy.canary"), e.getMessage());
    }

    // ------------------------------------------------------------------ traffic

    @Test
    void noSecretInLogsMetricsOrResponses() throws Exception {
        AutosyncProxy[] ab = federation(SERVICE_KEY_B);
        AutosyncProxy a = ab[0];
        AutosyncProxy b = ab[1];

        // normal client traffic through a (fan-out to b) and through b (fan-out to a)
        assertEquals("a=201, b=201", client(a, "PUT", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "blue")
                .header("X-Autosync-Sites"));
        assertEquals("a=204, b=204", client(a, "POST", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "red")
                .header("X-Autosync-Sites"));
        assertEquals("a=204, b=204", client(b, "POST", "/v1/AUTH_test/c1", "X-Container-Meta-Size", "1")
                .header("X-Autosync-Sites"));
        assertEquals("a=204, b=204", client(a, "POST", "/v1/AUTH_test", "X-Account-Meta-Owner", "ops")
                .header("X-Autosync-Sites"));
        client(a, "HEAD", "/v1/AUTH_test/c1");
        client(a, "PUT", "/v1/AUTH_test/c1/o", "Content-Type", "text/plain");
        client(a, "GET", "/v1/AUTH_test/c1/o");
        client(a, "GET", "/v1/AUTH_test/c1/o?temp_url_sig=" + TEMP_URL_SIG + "&temp_url_expires=1");
        assertEquals("a=204, b=204", client(a, "DELETE", "/v1/AUTH_test/c1").header("X-Autosync-Sites"));
        assertTrue(authB.seen.size() >= 1 && authA.seen.size() >= 1, "both service logins happened");
        assertTrue(clusterB.seen.stream().anyMatch(r -> SERVICE_TOKEN_B.equals(r.getHeader("X-Auth-Token"))),
                "b applied with its service token");
        assertTrue(clusterB.seen.stream().anyMatch(r -> r.getHeader("X-Container-Sync-Key") != null),
                "b received a derived sync key");

        // client errors the fan-out refuses itself
        client(a, "PUT", "/v1/AUTH_test/c2", "X-Container-Sync-Key", "mine");
        client(a, "PUT", "/v1/AUTH_test/c2", "X-Autosync-Consistency", "bogus");

        // b's cluster forgets b's token: one fresh login and a retry
        AtomicInteger posts = new AtomicInteger();
        clusterB.answer("POST", r -> new MockResponse().setResponseCode(posts.incrementAndGet() == 1 ? 401 : 204));
        assertEquals("a=204, b=204", client(a, "POST", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "green")
                .header("X-Autosync-Sites"));
        // and then refuses it for good
        clusterB.answer("POST", 401);
        client(a, "POST", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "green");
        clusterB.answer("POST", 204);

        // refused peer requests at b: forged, altered, stale, replayed, over-reaching, unknown secret
        PeerSigner good = signer("a", PEER_SECRET, Duration.ZERO);
        Request genuine = SecurityWire.signed(good, "POST", "/v1/AUTH_test/c1", new byte[0],
                "X-Container-Meta-Color", "blue", "X-Auth-Token", CLIENT_TOKEN);
        assertEquals(204, send(b, genuine).status());
        assertEquals(403, send(b, genuine).status());
        assertEquals(403, send(b, genuine.set("X-Container-Meta-Color", "red")).status());
        assertEquals(403, send(b, SecurityWire.signed(signer("a", secret("leakcheck-not-the-secret-"), Duration.ZERO),
                "PUT", "/v1/AUTH_test/c3", new byte[0], "X-Auth-Token", CLIENT_TOKEN)).status());
        assertEquals(403, send(b, SecurityWire.signed(signer("a", PEER_SECRET, Duration.ofHours(-1)), "DELETE",
                "/v1/AUTH_test/c3", null)).status());
        assertEquals(403, send(b, SecurityWire.signed(signer("zz", PEER_SECRET, Duration.ZERO), "DELETE",
                "/v1/AUTH_test/c3", null)).status());
        assertEquals(403, send(b, SecurityWire.signed(good, "GET", "/v1/AUTH_test/c1/o", null,
                "X-Auth-Token", CLIENT_TOKEN)).status());
        assertEquals(403, send(b, Request.of("PUT", "/v1/AUTH_test/c3").add("X-Autosync-Peer-Site", "a")
                .add("X-Auth-Token", CLIENT_TOKEN)).status());
        // the previous secret is still accepted during a rotation
        assertEquals(204, send(b, SecurityWire.signed(signer("a", PEER_SECRET_PREVIOUS, Duration.ZERO), "POST",
                "/v1/AUTH_test/c1", new byte[0], "X-Container-Meta-Color", "old")).status());

        scrapeAdmin(a);
        scrapeAdmin(b);
        assertTrue(seen.stream().anyMatch(s -> s.contains("autosync_peer_rejected_total")), "metrics were scraped");
        assertTrue(logs.stream().anyMatch(l -> l.contains("autosync.access")), "access log lines were captured");
        assertTrue(logs.stream().anyMatch(l -> l.contains("refused peer request")), "refusals were logged");
        assertNoSecretAnywhere();
    }

    @Test
    void noSecretWhenTheServiceLoginFails() throws Exception {
        AutosyncProxy[] ab = federation(WRONG_SERVICE_KEY);
        AutosyncProxy a = ab[0];
        AutosyncProxy b = ab[1];
        Response r = client(a, "PUT", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "blue");
        assertEquals("a=201, b=auth-failed", r.header("X-Autosync-Sites"));
        assertEquals(503, r.status());
        Response again = client(a, "POST", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "red");
        assertEquals("a=204, b=auth-failed", again.header("X-Autosync-Sites"));
        // and as b's peer answer seen directly
        Response direct = send(b, SecurityWire.signed(signer("a", PEER_SECRET, Duration.ZERO), "PUT",
                "/v1/AUTH_test/c9", new byte[0]));
        assertEquals(503, direct.status());
        assertEquals("auth-failed", direct.header("X-Autosync-Error"));
        assertTrue(authB.seen.stream().anyMatch(q -> WRONG_SERVICE_KEY.equals(q.getHeader("X-Auth-Key"))),
                "b tried to log in with the configured key");
        assertTrue(logs.stream().anyMatch(l -> l.contains("service login") && l.contains("ERROR")
                || l.contains("service login") && l.contains("WARN")), "the failed login was logged: " + logs);
        scrapeAdmin(a);
        scrapeAdmin(b);
        assertNoSecretAnywhere();
    }

    @Test
    void noSecretWhenTheClusterOrThePeerFails() throws Exception {
        int pa = freePort();
        int pb = freePort();
        // b's cluster drops every connection, a's peer b is sometimes not there at all
        StubSite dropping = new StubSite();
        closeables.add(dropping);
        for (String m : List.of("PUT", "POST", "DELETE", "HEAD", "GET")) {
            dropping.answer(m, q -> new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        }
        AutosyncProxy b = start(hocon("b", pb, dropping.url(), authB.url(), SERVICE_KEY_B, pa, pb));
        AutosyncProxy a = start(hocon("a", pa, clusterA.url(), authA.url(), SERVICE_KEY_A, pa, pb));
        client(a, "PUT", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "blue");
        client(b, "GET", "/v1/AUTH_test/c1/o");
        client(b, "PUT", "/v1/AUTH_test/c1", "X-Container-Meta-Color", "blue");
        b.close();
        client(a, "PUT", "/v1/AUTH_test/c2", "X-Container-Meta-Color", "blue");
        client(a, "DELETE", "/v1/AUTH_test/c2");
        scrapeAdmin(a);
        assertNoSecretAnywhere();
    }

    /**
     * The access log masks signature-like query values (README); every other line that names a
     * request must do the same, or a temp URL signature ends up in the logs.
     */
    @Test
    void tempUrlSignaturesAreMaskedInEveryLogLine() throws Exception {
        AutosyncProxy[] ab = federation(SERVICE_KEY_B);
        AutosyncProxy b = ab[1];
        String path = "/v1/AUTH_test/c1/o?temp_url_sig=" + TEMP_URL_SIG + "&temp_url_expires=1";
        // a refused peer request naming a temp URL
        send(b, Request.of("GET", path).add("X-Autosync-Peer-Site", "a"));
        // a pass-through request whose cluster hangs up
        StubSite dropping = new StubSite();
        closeables.add(dropping);
        dropping.answer("GET", q -> new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        AutosyncProxy single = AutosyncProxy.start(Settings.fromConfig(ConfigFactory.parseString("""
                autosync { listen = "127.0.0.1:0", admin-listen = "127.0.0.1:0", local-cluster = "%s",
                           event-loop-threads = 2 }
                """.formatted(dropping.url()))));
        closeables.add(single);
        Response r = send(single, Request.of("GET", path));
        assertEquals(502, r.status(), r.toString());
        List<String> withSig;
        synchronized (logs) {
            withSig = logs.stream().filter(l -> l.contains(TEMP_URL_SIG)).toList();
        }
        assertTrue(logs.stream().anyMatch(l -> l.contains("temp_url_sig=***")), "the access log masks it: " + logs);
        assertEquals(List.of(), withSig, "log lines with a temp URL signature in clear");
    }

    // ------------------------------------------------------------------ bad configurations

    private String config(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f.toString();
    }

    private static final String GOOD_BODY = """
              listen = "127.0.0.1:0"
              admin-listen = "127.0.0.1:0"
              local-cluster = "http://127.0.0.1:1"
              site = a
              sites { a { url = "http://127.0.0.1:2" }, b { url = "http://127.0.0.1:3" } }
              sync-realm = lab
              placement { default = [a, b] }
            """;

    private String withSecrets(String extra) {
        return "autosync {\n" + GOOD_BODY
                + "  sync-key-secret = \"" + SYNC_SECRET + "\"\n"
                + "  peer-secret = \"" + PEER_SECRET + "\"\n"
                + "  service-credentials { auth-url = \"http://127.0.0.1:4/auth/v1.0\", user = \"admin:admin\", key = \""
                + SERVICE_KEY_A + "\" }\n" + extra + "\n}\n";
    }

    /** Main's own entry point, as bin/autosync runs it; what it prints is collected. */
    private int runMain(String file) throws Exception {
        Class<?> main = Class.forName("org.autosync.proxy.Main");
        Method run = main.getDeclaredMethod("run", String[].class, PrintStream.class, PrintStream.class);
        run.setAccessible(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = (int) run.invoke(null, new String[] {"--config", file}, new PrintStream(out, true),
                new PrintStream(err, true));
        seen.add("main " + file + " exit " + code + ":\n" + out.toString(StandardCharsets.UTF_8) + "\n"
                + err.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void noSecretInConfigurationErrors() throws Exception {
        Path secretFile = dir.resolve("peer-secret");
        Files.writeString(secretFile, PEER_SECRET + "\n" + PEER_SECRET_PREVIOUS + "\n" + SERVICE_KEY_B + "\n");
        Path readable = dir.resolve("peer-secret-readable");
        Files.writeString(readable, PEER_SECRET + "\n");
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));

        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("bad consistency", withSecrets("consistency = sometimes"));
        bad.put("unknown placement site", withSecrets("placement { default = [a, zz] }"));
        bad.put("short sync secret after a good peer secret", withSecrets("sync-key-secret = short"));
        bad.put("peer secret of the wrong type", withSecrets("peer-secret = [\"" + PEER_SECRET + "\"]"));
        bad.put("peer secret object with current and file",
                withSecrets("peer-secret { current = \"" + PEER_SECRET + "\", file = \"" + secretFile + "\" }"));
        bad.put("short previous secret", withSecrets("peer-secret { current = \"" + PEER_SECRET
                + "\", previous = short }"));
        bad.put("peer secret file with three lines", withSecrets("peer-secret { file = \"" + secretFile + "\" }"));
        bad.put("readable peer secret file, then a bad value", withSecrets("peer-secret { file = \"" + readable
                + "\" }\n  consistency = sometimes"));
        bad.put("syntax error after a secret", withSecrets("service-credentials.key = \"" + SERVICE_KEY_B + "\" }}"));
        bad.put("unterminated secret", withSecrets("service-credentials.key = \"" + SERVICE_KEY_B));
        bad.put("reserved character in an unquoted secret", withSecrets("sync-key-secret = " + SYNC_SECRET + "@x"));
        bad.put("bad escape in a secret", withSecrets("peer-secret = \"" + PEER_SECRET + "\\q\""));
        bad.put("bad URL next to the key", withSecrets("service-credentials.auth-url = \"http://[::1:4/v1\""));
        bad.put("substitution of a missing variable", withSecrets("peer-secret = ${AUTOSYNC_LEAKCHECK_NOPE_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
                + "}\n  service-credentials.key = \"" + SERVICE_KEY_B + "\""));

        List<String> notRefused = new ArrayList<>();
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String file = config(e.getKey().replace(' ', '-') + ".conf", e.getValue());
            try {
                if (runMain(file) != 2) {
                    notRefused.add(e.getKey());
                }
            } catch (SettingsException ex) {
                seen.add("exception: " + ex);
            }
            try {
                Settings.load(new java.io.File(file));
                notRefused.add(e.getKey() + " (Settings.load)");
            } catch (SettingsException ex) {
                seen.add("Settings.load " + e.getKey() + ": " + ex.getMessage() + " key=" + ex.key());
            }
        }
        assertEquals(List.of(), notRefused, "configurations that should have been refused");
        assertTrue(logs.stream().anyMatch(l -> l.contains("readable by")), "the readable-file warning was logged");
        assertNoSecretAnywhere();
    }
}
