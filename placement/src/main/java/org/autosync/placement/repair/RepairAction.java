package org.autosync.placement.repair;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a repair or reconcile does at one site: nothing (in sync or superseded), create, update or
 * delete the copy there (with these headers), try again later, or leave it and report a conflict.
 */
public record RepairAction(Kind kind, Map<String, String> headers, String reason) {

    public enum Kind {
        /** The copy already matches: the record is done. */
        IN_SYNC,
        /** A later change makes this record moot (the container was deleted since, the site left the placement). */
        SUPERSEDED,
        /** PUT the container (or account) at the site with {@link #headers}. */
        CREATE,
        /** POST {@link #headers} at the site; an empty value removes the header. */
        UPDATE,
        /** DELETE the empty container at the site (Swift refuses a non-empty one). */
        DELETE,
        /** A copy could not be read: nothing decided, try again later. */
        RETRY,
        /** Not safe to decide: left as it is and reported. */
        CONFLICT;

        /** True when nothing is left to do for the record. */
        public boolean finishes() {
            return this == IN_SYNC || this == SUPERSEDED;
        }

        /** True when a request must be sent to the site. */
        public boolean acts() {
            return this == CREATE || this == UPDATE || this == DELETE;
        }

        /** Metric label and JSON value: the name in lower case, {@code in-sync}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public RepairAction {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        headers = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(headers, "headers")));
    }

    static RepairAction of(Kind kind, String reason) {
        return new RepairAction(kind, Map.of(), reason);
    }

    /** Metric label and JSON value: the kind in lower case. */
    public String label() {
        return kind.label();
    }
}
