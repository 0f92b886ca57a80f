package org.autosync.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend that speaks bytes, not HTTP, so a test can do what a well-behaved server never does:
 * close mid-response, stay silent, answer before reading the body. Each accepted connection runs
 * the script on its own thread; what the backend read is kept per connection.
 */
public final class RawBackend implements AutoCloseable {
    @FunctionalInterface
    public interface Script {
        void run(Conn conn) throws Exception;
    }

    /** One accepted connection. */
    public static final class Conn {
        public final Socket socket;
        public final InputStream in;
        public final OutputStream out;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Reads up to and including the blank line that ends a request head. */
        public String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before the end of the head: " + head);
                }
                head.write(b);
                seen.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads until the peer closes or {@code max} bytes; returns what came. */
        public byte[] readUntilClose(int max) throws IOException {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while (got.size() < max && (n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                seen.write(buf, 0, n);
            }
            return got.toByteArray();
        }

        public byte[] readExactly(int len) throws IOException {
            byte[] b = in.readNBytes(len);
            seen.write(b, 0, b.length);
            return b;
        }

        public void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        public String seen() {
            return seen.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final BlockingQueue<Conn> finished = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

    public RawBackend(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread t = new Thread(() -> {
                    Conn c = null;
                    try (s) {
                        c = new Conn(s);
                        script.run(c);
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        if (c != null) {
                            finished.add(c);
                        }
                    }
                }, "raw-backend-conn");
                t.setDaemon(true);
                t.start();
            }
        }, "raw-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next connection whose script has ended (closed), or fails after the timeout. */
    public Conn nextFinished(long timeout, TimeUnit unit) throws InterruptedException {
        Conn c = finished.poll(timeout, unit);
        if (c == null) {
            throw new AssertionError("no backend connection finished within " + timeout + " " + unit
                    + (failures.isEmpty() ? "" : "; script failures: " + failures));
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
