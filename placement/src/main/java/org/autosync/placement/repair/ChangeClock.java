package org.autosync.placement.repair;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * When a header's value was set through Autosync, and at which site: Autosync's own record of
 * changes, because Swift stamps every request with its own arrival time (a repair would move
 * Swift's timestamps again) and shows no per-header times. The newest clock wins: the later
 * time, then the greater site name.
 */
public record ChangeClock(long stampMicros, String site) implements Comparable<ChangeClock> {
    private static final Pattern TEXT = Pattern.compile("[0-9]{1,19}-[A-Za-z0-9_-]+");
    private static final Comparator<ChangeClock> ORDER = Comparator.comparingLong(ChangeClock::stampMicros)
            .thenComparing(ChangeClock::site);

    /**
     * Among a site's clocks for a container given to {@link ReconcileDecision}: when Autosync
     * deleted the container at that site (Swift shows no deleted container, and reconcile must
     * tell a copy left over from that delete from one made since). Not a header name, so no
     * request ever sets or applies it; the proxy keeps deletes apart from the header clocks.
     */
    public static final String CONTAINER_DELETED = "autosync-container-deleted";

    public ChangeClock {
        Objects.requireNonNull(site, "site");
        if (stampMicros < 0) {
            throw new IllegalArgumentException("stampMicros: negative");
        }
        if (site.isEmpty()) {
            throw new IllegalArgumentException("site: empty");
        }
    }

    @Override
    public int compareTo(ChangeClock o) {
        return ORDER.compare(this, o);
    }

    public boolean isNewerThan(ChangeClock o) {
        return o == null || compareTo(o) > 0;
    }

    /** {@code <16-digit stamp>-<site>}: sorts by time as text, too. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%016d", stampMicros) + "-" + site;
    }

    /** The clock written as {@link #toString()}; IllegalArgumentException when it is not one. */
    public static ChangeClock parse(String text) {
        if (text == null || !TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("not a change clock: '" + text + "'");
        }
        int dash = text.indexOf('-');
        return new ChangeClock(Long.parseLong(text.substring(0, dash)), text.substring(dash + 1));
    }

    /**
     * {@code name=clock, name=clock}: the clocks a request carries, one per header it sets.
     * IllegalArgumentException for anything else.
     */
    public static Map<String, ChangeClock> parseAll(String text) {
        Map<String, ChangeClock> m = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return m;
        }
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not name=clock: '" + part.strip() + "'");
            }
            String name = part.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
            m.put(name, parse(part.substring(eq + 1).strip()));
        }
        return m;
    }

    public static String formatAll(Map<String, ChangeClock> clocks) {
        StringBuilder b = new StringBuilder();
        clocks.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }
}
