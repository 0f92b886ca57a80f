package org.autosync.placement;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One Swift cluster together with the Autosync proxy that fronts it.
 *
 * @param name         short identifier used in configuration, headers and logs; matches {@code [a-z0-9_-]+}
 *                     (upper-case letters are accepted too, names are compared exactly)
 * @param url          base URL of that site's Autosync proxy (http; TLS between sites is not built yet)
 * @param realmCluster the cluster name this site has in the Swift container-sync realm configuration;
 *                     it is what appears in {@code X-Container-Sync-To}, and may differ from {@code name}
 */
public record Site(String name, URI url, String realmCluster) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+", Pattern.CASE_INSENSITIVE);

    public Site {
        // Sites come from configuration, so every problem is reported as IllegalArgumentException
        // naming the field rather than a bare NullPointerException.
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("site name: missing");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("site name: must match [a-z0-9_-]+, not '" + name + "'");
        }
        if (url == null) {
            throw new IllegalArgumentException("site '" + name + "' url: missing");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("site '" + name + "' url: must be http or https, not '" + url + "'");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("site '" + name + "' url: host required in '" + url + "'");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("site '" + name + "' url: must not have a query or fragment: '" + url + "'");
        }
        if (realmCluster == null || realmCluster.isBlank()) {
            throw new IllegalArgumentException("site '" + name + "' realmCluster: missing");
        }
        if (realmCluster.indexOf('/') >= 0 || !realmCluster.equals(realmCluster.strip())) {
            // it becomes one path segment of X-Container-Sync-To
            throw new IllegalArgumentException("site '" + name + "' realmCluster: must be a single path segment, not '"
                    + realmCluster + "'");
        }
    }
}
