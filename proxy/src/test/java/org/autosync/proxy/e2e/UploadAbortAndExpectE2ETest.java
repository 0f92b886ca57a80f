package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.SwiftLab.containerPath;
import static org.autosync.proxy.e2e.SwiftLab.objectPath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.RawClient;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Uploads that do not end well, and Expect: 100-continue, through the proxy to real Swift. */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class UploadAbortAndExpectE2ETest {
    private static final int MiB = 1 << 20;

    private static AutosyncProxy proxy;

    private final SwiftLab lab = SwiftLab.siteA();

    @BeforeAll
    static void startProxy() throws InterruptedException {
        SwiftLab.siteA().assertUp();
        proxy = TestProxy.start(SwiftLab.siteA().port());
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @AfterEach
    void cleanup() {
        lab.cleanup();
    }

    private String head(String method, String path, String... lines) {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(proxy.port()).append("\r\n")
                .append("X-Auth-Token: ").append(lab.token()).append("\r\n");
        for (String l : lines) {
            sb.append(l).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Test
    void clientClosingMidUploadWithContentLengthStoresNothing() throws Exception {
        String c = lab.newContainer("abort");
        String partial = objectPath(c, "partial.bin");
        byte[] body = SwiftLab.randomBytes(5, 10 * MiB);

        try (RawClient rc = new RawClient(proxy.port())) {
            rc.send(head("PUT", partial, "Content-Length: " + body.length));
            rc.send(Arrays.copyOf(body, MiB));
            Thread.sleep(300); // let the first MiB reach Swift
        } // closed with 9 MiB missing
        assertStaysAbsent(partial);

        // Control: the very same request, completed, does store the object.
        String whole = objectPath(c, "whole.bin");
        try (RawClient rc = new RawClient(proxy.port())) {
            rc.send(head("PUT", whole, "Content-Length: " + body.length));
            rc.send(body);
            RawClient.Head h = rc.readHead();
            assertEquals(201, h.status(), h.statusLine());
            assertEquals(SwiftLab.md5Hex(body), h.header("ETag"));
        }
        assertEquals(200, lab.head(whole).statusCode());
        assertEquals(404, lab.head(partial).statusCode());
    }

    @Test
    void clientClosingMidChunkedUploadStoresNothing() throws Exception {
        String c = lab.newContainer("abort");
        String partial = objectPath(c, "partial.bin");
        byte[] chunk = SwiftLab.randomBytes(55, 64 * 1024);
        byte[] framed = chunked(chunk);

        try (RawClient rc = new RawClient(proxy.port())) {
            rc.send(head("PUT", partial, "Transfer-Encoding: chunked"));
            for (int i = 0; i < 4; i++) {
                rc.send(framed);
            }
            Thread.sleep(300);
        } // closed without the terminating 0\r\n\r\n
        assertStaysAbsent(partial);

        String whole = objectPath(c, "whole.bin");
        try (RawClient rc = new RawClient(proxy.port())) {
            rc.send(head("PUT", whole, "Transfer-Encoding: chunked"));
            for (int i = 0; i < 4; i++) {
                rc.send(framed);
            }
            rc.send("0\r\n\r\n");
            RawClient.Head h = rc.readHead();
            assertEquals(201, h.status(), h.statusLine());
        }
        assertEquals(String.valueOf(4 * chunk.length),
                lab.head(whole).headers().firstValue("Content-Length").orElse(null));
        assertEquals(404, lab.head(partial).statusCode());
    }

    @Test
    void expectContinueIntoAnExistingContainerGets100ThenTheBodyIsStored() throws Exception {
        String c = lab.newContainer("expect");
        String path = objectPath(c, "o.bin");
        byte[] body = SwiftLab.randomBytes(6, 256 * 1024);
        try (RawClient rc = new RawClient(proxy.port())) {
            rc.send(head("PUT", path, "Content-Length: " + body.length, "Expect: 100-continue"));
            RawClient.Head first = rc.readHead();
            assertEquals(100, first.status(), "interim answer: " + first.statusLine());
            rc.send(body);
            RawClient.Head last = rc.readHead();
            assertEquals(201, last.status(), last.statusLine());
            assertEquals(SwiftLab.md5Hex(body), last.header("ETag"));
            rc.readExactly(Integer.parseInt(last.header("Content-Length")));

            // The connection is still good for the next request.
            rc.send(head("HEAD", path));
            RawClient.Head again = rc.readHead();
            assertEquals(200, again.status(), again.statusLine());
        }
        assertArrayEquals(body, lab.get(path).body());
    }

    @Test
    void expectContinueIntoAMissingContainerIsAnswered404WithoutA100() throws Exception {
        String missing = SwiftLab.unique("missing");
        assertEquals(404, lab.head(containerPath(missing)).statusCode());
        assertNoContinue(objectPath(missing, "o.bin"), lab.token(), 404);
        assertEquals(404, lab.head(containerPath(missing)).statusCode());

        String c = lab.newContainer("expect");
        assertNoContinue(objectPath(c, "o.bin"), "AUTH_tk00000000000000000000000000000000", 401);
        assertEquals(404, lab.head(objectPath(c, "o.bin")).statusCode());
    }

    private void assertNoContinue(String path, String token, int expected) throws Exception {
        try (RawClient rc = new RawClient(proxy.port())) {
            rc.socket.setSoTimeout(3000); // "at once": well before any expect-continue timeout
            rc.send("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\nX-Auth-Token: " + token
                    + "\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Head first = rc.readHead();
            assertEquals(expected, first.status(), "first status line: " + first.statusLine());
            String len = first.header("Content-Length");
            if (len != null) {
                rc.readExactly(Integer.parseInt(len));
            }
            assertTrue(rc.closedWithin(2000), "the body was never sent: the connection cannot be reused");
        }
    }

    /** Polls a direct HEAD for 3 s, then once more a second later; each must be 404. */
    private void assertStaysAbsent(String path) {
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            assertEquals(404, lab.head(path).statusCode(), "an aborted upload was stored: " + path);
            SwiftLab.sleep(100);
        }
        SwiftLab.sleep(1000);
        assertEquals(404, lab.head(path).statusCode(), "an aborted upload was stored: " + path);
    }

    private static byte[] chunked(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(data);
        b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return b.toByteArray();
    }
}
