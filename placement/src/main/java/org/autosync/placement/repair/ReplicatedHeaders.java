package org.autosync.placement.repair;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one home of which account and container headers are the same at every site (metadata,
 * ACLs, legacy versioning targets) and which are per site (container-sync), as repair and
 * reconcile compare and copy them.
 */
public final class ReplicatedHeaders {
    public static final String SYNC_TO = "x-container-sync-to";
    public static final String SYNC_KEY = "x-container-sync-key";
    public static final String STORAGE_POLICY = "x-storage-policy";
    public static final String OBJECT_COUNT = "x-container-object-count";
    /** Swift's object versioning marker: per site, never replicated, and not combinable with sync. */
    public static final String VERSIONS_ENABLED = "x-versions-enabled";

    private static final Set<String> CONTAINER_EXACT = Set.of("x-container-read", "x-container-write",
            "x-versions-location", "x-history-location");
    private static final Set<String> ACCOUNT_EXACT = Set.of("x-account-access-control");

    private ReplicatedHeaders() {
    }

    /**
     * The header a request header sets, in its set form: {@code X-Remove-Container-Meta-Color}
     * sets {@code x-container-meta-color} (to nothing). Null when the header is not one that
     * every site keeps the same.
     */
    public static String setForm(String name, boolean container) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("x-remove-")) {
            n = "x-" + n.substring("x-remove-".length());
        }
        return isReplicated(n, container) ? n : null;
    }

    /** True for a (lower-case, set-form) header kept the same at every site. */
    public static boolean isReplicated(String lowerName, boolean container) {
        if (container) {
            return lowerName.startsWith("x-container-meta-") || CONTAINER_EXACT.contains(lowerName);
        }
        return lowerName.startsWith("x-account-meta-") || ACCOUNT_EXACT.contains(lowerName);
    }

    /**
     * Swift's default {@code swift_owner_headers} that Autosync replicates (the sync ones are
     * Autosync's own): Swift takes them from an account's owners only, and shows them to owners only.
     */
    private static final Set<String> OWNER_ONLY = Set.of("x-container-read", "x-container-write",
            "x-container-meta-temp-url-key", "x-container-meta-temp-url-key-2", "x-account-meta-temp-url-key",
            "x-account-meta-temp-url-key-2", "x-account-access-control");

    /** True for an owner-only header (lower-case), in its set or its {@code X-Remove-} form. */
    public static boolean isOwnerOnly(String lowerName) {
        String n = lowerName.startsWith("x-remove-") ? "x-" + lowerName.substring("x-remove-".length()) : lowerName;
        return OWNER_ONLY.contains(n);
    }

    /** True for headers whose values are secrets (temp-URL keys): never shown in a report. */
    public static boolean isSecret(String lowerName) {
        return lowerName.contains("temp-url-key");
    }

    /**
     * What a container copy is made anew with: its replicated headers and its storage policy
     * (lower-case names), sorted by name.
     */
    public static Map<String, String> snapshot(Map<String, String> headers) {
        Map<String, String> out = of(headers, true);
        headers.forEach((k, v) -> {
            if (k.equalsIgnoreCase(STORAGE_POLICY)) {
                out.put(STORAGE_POLICY, v);
            }
        });
        return out;
    }

    /** The replicated headers among {@code headers} (lower-case names), sorted by name. */
    public static Map<String, String> of(Map<String, String> headers, boolean container) {
        Map<String, String> out = new TreeMap<>();
        headers.forEach((k, v) -> {
            String n = k.toLowerCase(Locale.ROOT);
            if (isReplicated(n, container)) {
                out.put(n, v);
            }
        });
        return out;
    }
}
