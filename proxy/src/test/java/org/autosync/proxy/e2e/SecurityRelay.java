package org.autosync.proxy.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A man in the middle on the peer link: a TCP relay that records every request passing from one
 * proxy to another, byte for byte, and can hold some back (swallow: record, then close without
 * forwarding) so that a test can use a captured request whose nonce the receiver never saw.
 * One request per connection: the relay forwards each with {@code Connection: close} (the
 * recorded copy stays as sent), so the receiver's answer says close and the sender does not keep
 * the connection.
 */
final class SecurityRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<byte[]> captured = new ArrayList<>();
    private final AtomicInteger swallowNext = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    SecurityRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = LabTls.serverSocket(); // in the lab's TLS mode a man in the middle holding a trusted certificate
        this.acceptor = new Thread(this::acceptLoop, "security-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next {@code n} requests (health probes aside) are recorded but never reach the target. */
    void swallowNext(int n) {
        swallowNext.set(n);
    }

    /** The last captured request whose request line starts with {@code prefix}. */
    byte[] last(String prefix) {
        synchronized (captured) {
            for (int i = captured.size() - 1; i >= 0; i--) {
                if (requestLine(captured.get(i)).startsWith(prefix)) {
                    return captured.get(i).clone();
                }
            }
        }
        throw new AssertionError("the relay captured no request starting with '" + prefix + "'; it has: "
                + requestLines());
    }

    List<String> requestLines() {
        synchronized (captured) {
            return captured.stream().map(SecurityRelay::requestLine).toList();
        }
    }

    void clear() {
        synchronized (captured) {
            captured.clear();
        }
    }

    static String requestLine(byte[] raw) {
        String s = new String(raw, 0, Math.min(raw.length, 2048), StandardCharsets.ISO_8859_1);
        int eol = s.indexOf("\r\n");
        return eol < 0 ? s : s.substring(0, eol);
    }

    /** {@code raw} with the first occurrence of {@code from} (within the head) replaced by {@code to}. */
    static byte[] replace(byte[] raw, String from, String to) {
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        int at = s.indexOf(from);
        if (at < 0 || at > end) {
            throw new AssertionError("'" + from + "' not in the head of " + requestLine(raw));
        }
        return (s.substring(0, at) + to + s.substring(at + from.length())).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code raw} with one more header line right after the request line. */
    static byte[] addHeader(byte[] raw, String name, String value) {
        String line = requestLine(raw);
        return replace(raw, line + "\r\n", line + "\r\n" + name + ": " + value + "\r\n");
    }

    /** The value of a header of a captured request. */
    static String header(byte[] raw, String name) {
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        String head = s.substring(0, s.indexOf("\r\n\r\n"));
        for (String l : head.split("\r\n")) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return l.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> relay(client), "security-relay-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    e.printStackTrace();
                }
            }
        }
    }

    private void relay(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            byte[] request = readRequest(client.getInputStream());
            synchronized (captured) {
                captured.add(request);
            }
            // a's health probes pass at any time and are never what a test holds back
            boolean probe = requestLine(request).startsWith("GET /healthcheck ");
            if (!probe && swallowNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return; // held back: the sender sees the connection close without an answer
            }
            try (Socket target = LabTls.socket(targetPort)) {
                target.setSoTimeout(30_000);
                target.getOutputStream().write(addHeader(request, "Connection", "close"));
                target.getOutputStream().flush();
                InputStream in = target.getInputStream();
                OutputStream out = client.getOutputStream();
                in.transferTo(out);
                out.flush();
            }
        } catch (IOException e) {
            // the sender gave up or the target closed: nothing to record beyond what we have
        }
    }

    /** Head up to the blank line, then Content-Length bytes of body. */
    private static byte[] readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the request head");
            }
            buf.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
        }
        String head = buf.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String l : head.split("\r\n")) {
            if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(l.substring(l.indexOf(':') + 1).trim());
            }
        }
        buf.writeBytes(in.readNBytes(length));
        return buf.toByteArray();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
