package org.autosync.placement.repair;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
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

    /**
     * Whether this copy was surely PUT or POSTed after {@code micros}. Swift's Last-Modified of a
     * container is its put timestamp (moved by every PUT and POST, never by objects) rounded up to
     * the second, so a second less is the latest time it vouches for. False when not given.
     */
    public boolean changedAfter(long micros) {
        Long seconds = lastModifiedSeconds();
        return seconds != null && (seconds - 1) * 1_000_000L > micros;
    }

    /**
     * Whether this copy was surely last PUT or POSTed before {@code micros}: its Last-Modified,
     * the put timestamp rounded up, is earlier. False when not given.
     */
    public boolean changedBefore(long micros) {
        Long seconds = lastModifiedSeconds();
        return seconds != null && seconds * 1_000_000L < micros;
    }

    private Long lastModifiedSeconds() {
        String v = headers.get("last-modified");
        if (v == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Swift's object count of a container copy; null when not given or not a number. */
    public Long knownObjectCount() {
        String v = headers.get(ReplicatedHeaders.OBJECT_COUNT);
        try {
            return v == null ? null : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
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
