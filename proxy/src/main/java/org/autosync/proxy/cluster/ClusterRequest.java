package org.autosync.proxy.cluster;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A small, fully buffered request for a cluster or a peer: the control path, never object data. */
public record ClusterRequest(String method, String pathWithQuery, Map<String, List<String>> headers, byte[] body) {
    public ClusterRequest {
        requireNonNull(method, "method");
        requireNonNull(pathWithQuery, "pathWithQuery");
        headers = copy(requireNonNull(headers, "headers"));
        body = requireNonNull(body, "body");
    }

    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A copy with {@code name} set to {@code value}, or removed when value is null. */
    public ClusterRequest with(String name, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(headers);
        String key = name.toLowerCase(Locale.ROOT);
        if (value == null) {
            h.remove(key);
        } else {
            h.put(key, List.of(value));
        }
        return new ClusterRequest(method, pathWithQuery, h, body);
    }

    public ClusterRequest withMethod(String m) {
        return new ClusterRequest(m, pathWithQuery, headers, m.equals("HEAD") ? new byte[0] : body);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> in) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
        out.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(out);
    }
}
