package org.autosync.placement.repair;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one site's copy of an account or container looked like when it was read: there, not
 * there, or not readable; and its headers (lower-case names) when there.
 */
public record CopyState(Presence presence, Map<String, String> headers, String detail) {

    public enum Presence { PRESENT, ABSENT, UNKNOWN }

    public CopyState {
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(detail, "detail");
        Map<String, String> h = new TreeMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
        headers = java.util.Collections.unmodifiableMap(h);
    }

    public static CopyState present(Map<String, String> headers) {
        return new CopyState(Presence.PRESENT, headers, "");
    }

    public static CopyState absent() {
        return new CopyState(Presence.ABSENT, Map.of(), "");
    }

    /** Not readable; {@code detail} says why (a status, "timeout" ...), shown to operators. */
    public static CopyState unknown(String detail) {
        return new CopyState(Presence.UNKNOWN, Map.of(), detail);
    }

    public String header(String lowerName) {
        return headers.get(lowerName);
    }

    /** Swift's object count of a container copy; 0 when not given. */
    public long objectCount() {
        String v = headers.get(ReplicatedHeaders.OBJECT_COUNT);
        try {
            return v == null ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
