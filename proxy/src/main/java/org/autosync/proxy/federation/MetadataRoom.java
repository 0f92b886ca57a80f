package org.autosync.proxy.federation;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a metadata change fits at a site, by Swift's own rule for the metadata an account
 * keeps: at most {@code max_meta_count} items and {@code max_meta_overall_size} bytes (name
 * without its prefix, plus value), counted over what the account holds once the change is
 * merged. A pure function, so that a change one site would refuse is refused up front, before
 * any site applied it.
 */
public final class MetadataRoom {
    private MetadataRoom() {
    }

    /**
     * Null when the metadata the site holds ({@code current}, lower-case names) merged with the
     * request's headers ({@code change}) fits, else Swift's words for why not.
     */
    public static String check(Map<String, String> current, Map<String, List<String>> change, String prefix,
                               int maxCount, int maxOverallSize) {
        String removePrefix = "x-remove-" + prefix.substring("x-".length());
        Map<String, String> merged = new HashMap<>();
        current.forEach((k, v) -> {
            String n = k.toLowerCase(Locale.ROOT);
            if (n.startsWith(prefix)) {
                merged.put(n, v);
            }
        });
        change.forEach((k, values) -> {
            String n = k.toLowerCase(Locale.ROOT);
            String value = values.isEmpty() ? "" : String.join(",", values);
            if (n.startsWith(prefix)) {
                merged.put(n, value);
            } else if (n.startsWith(removePrefix)) {
                merged.remove(prefix + n.substring(removePrefix.length()));
            }
        });
        int count = 0;
        long size = 0;
        for (Map.Entry<String, String> e : merged.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue; // an empty value removes the item
            }
            count++;
            size += utf8(e.getKey().substring(prefix.length())) + utf8(e.getValue());
        }
        if (maxCount > 0 && count > maxCount) {
            return "Too many metadata items; max " + maxCount;
        }
        if (maxOverallSize > 0 && size > maxOverallSize) {
            return "Total metadata too large; max " + maxOverallSize;
        }
        return null;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
