package org.autosync.placement;

import java.util.Locale;

/** How many sites of a placement must apply a fanned-out container write before the client hears success. */
public enum Consistency {
    /** every site of the placement */
    ALL,
    /** a strict majority of the placement's sites */
    QUORUM,
    /** the site the client talked to */
    LOCAL;

    /** @throws IllegalArgumentException unless {@code value} is all, quorum or local (any case) */
    public static Consistency parse(String value) {
        if (value != null) {
            for (Consistency c : values()) {
                if (c.label().equalsIgnoreCase(value.strip())) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("consistency must be all, quorum or local, not '" + value + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
