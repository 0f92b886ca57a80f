package org.autosync.proxy.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.autosync.auth.PeerHeaders;
import org.autosync.auth.PeerSigner;
import org.autosync.proxy.federation.PeerClient;

/**
 * Peer requests as raw bytes, so a test can send exactly what an attacker would: signed like
 * {@code PeerClient} signs (every header sent is covered), then altered at will, and answered
 * over a fresh connection ({@code Connection: close}).
 */
public final class SecurityWire {
    private SecurityWire() {
    }

    /** An HTTP/1.1 request: request line, headers in order, body. Immutable. */
    public record Request(String method, String target, List<String[]> headers, byte[] body) {
        public Request {
            headers = List.copyOf(headers);
        }

        public static Request of(String method, String target) {
            return new Request(method, target, List.of(), new byte[0]);
        }

        public Request method(String m) {
            return new Request(m, target, headers, body);
        }

        public Request target(String t) {
            return new Request(method, t, headers, body);
        }

        public Request body(byte[] b) {
            return new Request(method, target, headers, b);
        }

        /** Appends a header line (a second line if the name is there already). */
        public Request add(String name, String value) {
            List<String[]> h = new ArrayList<>(headers);
            h.add(new String[] {name, value});
            return new Request(method, target, h, body);
        }

        /** Replaces every line of {@code name} by one with {@code value} (null: removes them), in place. */
        public Request set(String name, String value) {
            List<String[]> h = new ArrayList<>();
            boolean done = false;
            for (String[] kv : headers) {
                if (kv[0].equalsIgnoreCase(name)) {
                    if (!done && value != null) {
                        h.add(new String[] {kv[0], value});
                    }
                    done = true;
                } else {
                    h.add(kv);
                }
            }
            if (!done && value != null) {
                h.add(new String[] {name, value});
            }
            return new Request(method, target, h, body);
        }

        public String header(String name) {
            for (String[] kv : headers) {
                if (kv[0].equalsIgnoreCase(name)) {
                    return kv[1];
                }
            }
            return null;
        }

        public byte[] bytes() {
            StringBuilder sb = new StringBuilder();
            sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (String[] kv : headers) {
                sb.append(kv[0]).append(": ").append(kv[1]).append("\r\n");
            }
            if (body.length > 0 || method.equalsIgnoreCase("PUT") || method.equalsIgnoreCase("POST")) {
                sb.append("Content-Length: ").append(body.length).append("\r\n");
            }
            sb.append("Connection: close\r\n\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(body);
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    /**
     * A request as peer {@code signer} sends it: {@code headers} (name, value, name, value ...),
     * all covered by the signature, then the five peer headers.
     */
    public static Request signed(PeerSigner signer, String method, String target, byte[] body, String... headers) {
        Map<String, String> covered = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            covered.put(headers[i], headers[i + 1]);
        }
        Request r = Request.of(method, target).body(body == null ? new byte[0] : body);
        for (Map.Entry<String, String> e : covered.entrySet()) {
            r = r.add(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : signer.sign("b", method, target, covered).entrySet()) {
            r = r.add(e.getKey(), e.getValue());
        }
        return r;
    }

    /** The request without any peer header: what an unsigned client sends. */
    public static Request withoutPeerHeaders(Request r) {
        Request out = r;
        for (String name : PeerHeaders.ALL) {
            out = out.set(name, null);
        }
        return out;
    }

    /** A parsed response. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Status line, headers and body as one string: what a client could ever see. */
        public String everything() {
            StringBuilder sb = new StringBuilder().append(status).append('\n');
            headers.forEach((k, v) -> sb.append(k).append(": ").append(String.join(", ", v)).append('\n'));
            return sb.append('\n').append(text()).toString();
        }

        @Override
        public String toString() {
            String t = text();
            String one = t.strip().replaceAll("\\s*\\R\\s*", " | ");
            return status + " " + (one.length() > 240 ? one.substring(0, 240) + "..." : one);
        }
    }

    public static Response send(int port, Request r) {
        return send(port, r.bytes());
    }

    /**
     * Writes {@code raw} on a new connection and reads until the server closes it: a request
     * without a Connection header (Autosync's peer client keeps connections alive) gets
     * {@code Connection: close}, which no signature covers.
     */
    public static Response send(int port, byte[] raw) {
        byte[] once = SecurityRelay.header(raw, "Connection") == null
                ? SecurityRelay.addHeader(raw, "Connection", "close") : raw;
        try (Socket s = LabTls.socket(port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(once);
            out.flush();
            InputStream in = s.getInputStream();
            return parse(in.readAllBytes(), new String(raw, 0, Math.min(raw.length, 8), StandardCharsets.ISO_8859_1)
                    .startsWith("HEAD "));
        } catch (IOException e) {
            throw new AssertionError("request to 127.0.0.1:" + port + " failed: " + e, e);
        }
    }

    static Response parse(byte[] raw, boolean head) {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            throw new AssertionError("no complete response head in: " + new String(raw, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        int from = end + 4;
        int len = raw.length - from;
        List<String> cl = headers.get("content-length");
        if (head) {
            len = 0;
        } else if (cl != null) {
            len = Math.min(len, Integer.parseInt(cl.get(0)));
        }
        byte[] body = new byte[Math.max(0, len)];
        System.arraycopy(raw, from, body, 0, body.length);
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
