package org.autosync.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Status, headers and body of an auth response (tempauth needs only the headers, Keystone also
 * the body).
 *
 * @param headers header name as received to its values, in order
 */
public record AuthResponse(int status, Map<String, List<String>> headers, byte[] body) {

    public AuthResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(Objects.requireNonNull(name, "header name"), List.copyOf(values)));
        headers = Collections.unmodifiableMap(copy);
    }

    public AuthResponse(int status, Map<String, List<String>> headers) {
        this(status, headers, new byte[0]);
    }

    /** Convenience for single-valued headers. */
    public static AuthResponse of(int status, Map<String, String> headers) {
        return of(status, headers, new byte[0]);
    }

    public static AuthResponse of(int status, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return new AuthResponse(status, multi, body);
    }

    /** First value of the header, name compared case-insensitively; null if absent. */
    public String header(String name) {
        Objects.requireNonNull(name, "name");
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    public boolean is2xx() {
        return status >= 200 && status <= 299;
    }
}
