package org.autosync.proxy.cluster;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A buffered answer from a cluster or a peer, or one the proxy makes up. */
public record ClusterResponse(int status, Map<String, List<String>> headers, byte[] body) {
    public ClusterResponse {
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(h);
    }

    public static ClusterResponse text(int status, String text) {
        return new ClusterResponse(status, Map.of("content-type", List.of("text/plain; charset=utf-8")),
                (text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An error as Swift words it: Swift's Content-Type, the message as the whole body, no line
     * end, for answers that stand in for Swift's own.
     */
    public static ClusterResponse swiftError(int status, String message) {
        return new ClusterResponse(status, Map.of("content-type", List.of("text/html; charset=UTF-8")),
                message.getBytes(StandardCharsets.UTF_8));
    }

    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public ClusterResponse with(String name, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(headers);
        h.put(name.toLowerCase(Locale.ROOT), List.of(value));
        return new ClusterResponse(status, h, body);
    }

    public boolean is2xx() {
        return status >= 200 && status < 300;
    }

    /** The body as one short line of text, for a log line or a report. */
    public String brief() {
        String b = new String(body(), java.nio.charset.StandardCharsets.UTF_8).strip().replace('\n', ' ');
        return b.length() > 120 ? b.substring(0, 120) + "..." : b;
    }
}
