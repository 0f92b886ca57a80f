package org.autosync.auth;

import java.util.Locale;

/** How a site applies the requests its peers send it. */
public enum AuthMode {
    /**
     * The client's own token travels with the peer request and the site's cluster checks the user's
     * rights itself: for sites that share one Keystone, where that token is valid everywhere.
     */
    FORWARD,
    /**
     * The site drops whatever token came along and acts with its own service identity: for sites
     * with their own auth (tempauth, or a Keystone per site), where the client's token means nothing.
     */
    OVERRIDE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AuthMode parse(String s) {
        for (AuthMode m : values()) {
            if (m.label().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("must be forward or override, not '" + s + "'");
    }
}
