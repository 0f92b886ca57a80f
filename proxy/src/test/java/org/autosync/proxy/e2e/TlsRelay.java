package org.autosync.proxy.e2e;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.autosync.proxy.tls.TestCerts;

/** A TLS terminator (Python's ssl module) in front of a plain-http port: https for the e2e tests. */
final class TlsRelay implements AutoCloseable {
    private final Process process;
    private final int port;

    TlsRelay(Path dir, TestCerts.Pem cert, int target) throws Exception {
        Path script = dir.resolve("tls-relay.py");
        if (!Files.exists(script)) {
            try (InputStream in = TlsRelay.class.getResourceAsStream("/tls-relay.py")) {
                Files.copy(in, script);
            }
        }
        this.port = FanOutE2ETest.freePorts(1)[0];
        process = new ProcessBuilder("python3", script.toString(), cert.cert().toString(), cert.key().toString(),
                Integer.toString(port), Integer.toString(target)).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            process.destroyForcibly();
            throw new IllegalStateException("tls-relay did not start: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (java.io.IOException ignored) {
                // the relay ended
            }
        }, "tls-relay-out");
        drain.setDaemon(true);
        drain.start();
    }

    int port() {
        return port;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
