package org.autosync.proxy.federation.drift;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An object-level compare of one container's listings across the sites of its placement: a pure
 * function over the listings, so that what makes sync failures visible (an object missing at a
 * site, another version of it there) is tested without a cluster.
 */
public final class ListingCompare {
    /** Swift's listing order: object names by their UTF-8 bytes (not Java's UTF-16 order). */
    public static final java.util.Comparator<String> SWIFT_ORDER = (x, y) -> java.util.Arrays.compareUnsigned(
            x.getBytes(java.nio.charset.StandardCharsets.UTF_8), y.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private ListingCompare() {
    }

    /** One object as a listing shows it. */
    public record Entry(String name, String hash, long bytes, String lastModified) {
        public Entry {
            requireNonNull(name, "name");
            requireNonNull(hash, "hash");
            requireNonNull(lastModified, "lastModified");
        }
    }

    /** Per site: how many objects, how many bytes. */
    public record Totals(long objects, long bytes) {
    }

    /**
     * @param totals      per site, in the order given
     * @param missing     object name -> the sites that do not list it (at most {@code limit} names)
     * @param differing   object name -> site -> its hash there, where the hashes differ (at most {@code limit})
     * @param missingCount all names missing somewhere; {@code differingCount}: all that differ
     */
    public record Result(Map<String, Totals> totals, Map<String, List<String>> missing,
                         Map<String, Map<String, String>> differing, int missingCount, int differingCount) {
        public boolean inStep() {
            return missingCount == 0 && differingCount == 0;
        }
    }

    /** Compares {@code listings} (site -> its objects); lists at most {@code limit} names of each kind. */
    public static Result compare(Map<String, List<Entry>> listings, int limit) {
        return compare(listings, limit, null);
    }

    /**
     * The same for names up to {@code upTo} only (null: all): where a listing was cut short, the
     * names after its last one are unknown there, not missing.
     */
    public static Result compare(Map<String, List<Entry>> listings, int limit, String upTo) {
        Map<String, Totals> totals = new LinkedHashMap<>();
        Map<String, Map<String, Entry>> bySite = new LinkedHashMap<>();
        TreeSet<String> all = new TreeSet<>(SWIFT_ORDER);
        listings.forEach((site, entries) -> {
            long bytes = 0;
            Map<String, Entry> m = new TreeMap<>();
            for (Entry e : entries) {
                bytes += e.bytes();
                m.put(e.name(), e);
                all.add(e.name());
            }
            totals.put(site, new Totals(entries.size(), bytes));
            bySite.put(site, m);
        });
        Map<String, List<String>> missing = new TreeMap<>();
        Map<String, Map<String, String>> differing = new TreeMap<>();
        int missingCount = 0;
        int differingCount = 0;
        for (String name : upTo == null ? all : all.headSet(upTo, true)) {
            List<String> absent = new ArrayList<>();
            Map<String, String> hashes = new LinkedHashMap<>();
            bySite.forEach((site, m) -> {
                Entry e = m.get(name);
                if (e == null) {
                    absent.add(site);
                } else {
                    hashes.put(site, e.hash());
                }
            });
            if (!absent.isEmpty()) {
                if (missingCount++ < limit) {
                    missing.put(name, absent);
                }
            } else if (hashes.values().stream().distinct().count() > 1) {
                if (differingCount++ < limit) {
                    differing.put(name, hashes);
                }
            }
        }
        return new Result(totals, missing, differing, missingCount, differingCount);
    }
}
