package org.autosync.proxy.e2e;

import static org.autosync.proxy.e2e.SwiftLab.containerPath;
import static org.autosync.proxy.e2e.SwiftLab.objectPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.autosync.proxy.AutosyncProxy;
import org.autosync.proxy.testing.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** The python-swiftclient CLI through the proxy in front of real Swift (site a). */
@EnabledIfSystemProperty(named = "autosync.e2e", matches = "true")
class SwiftCliE2ETest {
    private static final long MiB = 1L << 20;

    private static AutosyncProxy proxy;
    private static SwiftCli cli;

    private final SwiftLab lab = SwiftLab.siteA();

    @TempDir
    Path tmp;

    @BeforeAll
    static void startProxy() throws InterruptedException {
        SwiftLab.siteA().assertUp();
        proxy = TestProxy.start(SwiftLab.siteA().port());
        cli = new SwiftCli(proxy.port());
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

    @Test
    void postUploadListStatDownloadDeleteThroughTheProxy() throws Exception {
        String c = lab.track(SwiftLab.unique("cli"));
        cli.ok("post", c);
        assertEquals(204, lab.head(containerPath(c)).statusCode(), "the container exists on Swift");

        Path file = tmp.resolve("hello.bin");
        long size = 300_001;
        String md5 = SwiftLab.writeRandomFile(file, 2, size);
        double received = bytesReceived();
        cli.ok("upload", "--header", "X-Object-Meta-Color:blue", "--object-name", "hello.bin", c, file.toString());
        assertTrue(bytesReceived() - received >= size, "the upload went through the proxy");

        assertEquals(List.of("hello.bin"), cli.ok("list", c).lines());

        SwiftCli.Result stat = cli.ok("stat", c, "hello.bin");
        Map<String, String> f = stat.fields();
        assertEquals("blue", f.get("Meta Color"), stat.toString());
        assertEquals(md5, f.get("ETag"), stat.toString());
        assertEquals(String.valueOf(size), f.get("Content Length"), stat.toString());

        HttpResponse<byte[]> direct = lab.head(objectPath(c, "hello.bin"));
        assertEquals(200, direct.statusCode());
        assertEquals("blue", direct.headers().firstValue("X-Object-Meta-Color").orElse(null));
        assertEquals(md5, direct.headers().firstValue("ETag").orElse(null));

        Path out = tmp.resolve("hello.out");
        double sent = bytesSent();
        cli.ok("download", "-o", out.toString(), c, "hello.bin");
        assertTrue(bytesSent() - sent >= size, "the download went through the proxy");
        assertEquals(-1L, Files.mismatch(file, out), "downloaded bytes differ");

        cli.ok("delete", c, "hello.bin");
        assertEquals(404, lab.head(objectPath(c, "hello.bin")).statusCode(), "deleted on Swift");
        assertEquals(List.of(), cli.ok("list", c).lines());
    }

    @Test
    @Timeout(240)
    void a200MiBObjectRoundTripsThroughTheProxy() throws Exception {
        String c = lab.track(SwiftLab.unique("big"));
        long size = 200 * MiB;
        Path src = tmp.resolve("big.bin");
        String md5 = SwiftLab.writeRandomFile(src, 3, size);

        double received = bytesReceived();
        cli.ok(Duration.ofSeconds(100), "upload", "--object-name", "big.bin", c, src.toString());
        assertTrue(bytesReceived() - received >= size, "the upload went through the proxy");

        HttpResponse<byte[]> direct = lab.head(objectPath(c, "big.bin"));
        assertEquals(200, direct.statusCode());
        assertEquals(String.valueOf(size), direct.headers().firstValue("Content-Length").orElse(null));
        assertEquals(md5, direct.headers().firstValue("ETag").orElse(null), "ETag on Swift = MD5 of the file");

        Path dst = tmp.resolve("big.out");
        double sent = bytesSent();
        cli.ok(Duration.ofSeconds(100), "download", "-o", dst.toString(), c, "big.bin");
        assertTrue(bytesSent() - sent >= size, "the download went through the proxy");
        assertEquals(size, Files.size(dst));
        assertEquals(md5, SwiftLab.md5Hex(dst), "MD5 of the downloaded file");
    }

    @Test
    void segmentedSloUploadDownloadAndDeleteThroughTheProxy() throws Exception {
        String c = lab.track(SwiftLab.unique("slo"));
        long size = 23 * MiB + 4321;
        Path src = tmp.resolve("slo.bin");
        SwiftLab.writeRandomFile(src, 4, size);

        cli.ok("upload", "--use-slo", "--segment-size", "5M", "--object-name", "slo.bin", c, src.toString());

        HttpResponse<byte[]> head = lab.head(objectPath(c, "slo.bin"));
        assertEquals(200, head.statusCode());
        assertEquals("True", head.headers().firstValue("X-Static-Large-Object").orElse(null));
        assertEquals(String.valueOf(size), head.headers().firstValue("Content-Length").orElse(null));
        List<String> segments = lab.listObjects(c + "_segments");
        assertEquals(5, segments.size(), "5 MiB segments of 23 MiB: " + segments);

        Path dst = tmp.resolve("slo.out");
        cli.ok("download", "-o", dst.toString(), c, "slo.bin");
        assertEquals(-1L, Files.mismatch(src, dst), "downloaded SLO bytes differ");

        SwiftCli.Result del = cli.ok("delete", c, "slo.bin");
        assertEquals(404, lab.head(objectPath(c, "slo.bin")).statusCode(), "manifest deleted: " + del);
        assertEquals(List.of(), lab.listObjects(c + "_segments"), "segments deleted with the manifest");
    }

    private static double bytesReceived() {
        return proxy.metrics().registry().get("autosync.client.bytes.received").functionCounter().count();
    }

    private static double bytesSent() {
        return proxy.metrics().registry().get("autosync.client.bytes.sent").functionCounter().count();
    }
}
