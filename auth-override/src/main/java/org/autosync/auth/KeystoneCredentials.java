package org.autosync.auth;

import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;

/**
 * A Keystone v3 password identity, scoped to a project: what a site in {@code override} mode logs
 * in with when its cluster authenticates against Keystone. The user typically holds
 * {@code ResellerAdmin}, so its token may act on every {@code AUTH_<project id>} account.
 *
 * @param authUrl       the v3 base URL, e.g. {@code http://keystone:5000/v3}
 * @param region        the site's region in the catalog; null to not check the catalog
 */
public record KeystoneCredentials(URI authUrl, String user, String password, String project,
                                  String userDomain, String projectDomain, String region)
        implements ServiceIdentity {

    public KeystoneCredentials {
        Objects.requireNonNull(authUrl, "authUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(userDomain, "userDomain");
        Objects.requireNonNull(projectDomain, "projectDomain");
        String scheme = authUrl.getScheme() == null ? "" : authUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("authUrl: must be http or https, not '" + authUrl + "'");
        }
        if (authUrl.getHost() == null) {
            throw new IllegalArgumentException("authUrl: host required");
        }
        if (authUrl.getRawUserInfo() != null || authUrl.getRawQuery() != null) {
            throw new IllegalArgumentException("authUrl: must be a plain base URL (no user info, no query)");
        }
        String path = authUrl.getRawPath() == null ? "" : authUrl.getRawPath();
        if (!path.replaceAll("/+$", "").endsWith("/v3")) {
            throw new IllegalArgumentException("authUrl: must be Keystone's v3 base URL, ending in /v3, not '"
                    + authUrl + "'");
        }
        for (String[] f : new String[][] {{"user", user}, {"project", project}, {"userDomain", userDomain},
                {"projectDomain", projectDomain}}) {
            if (f[1].isBlank()) {
                throw new IllegalArgumentException(f[0] + ": empty");
            }
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("password: empty");
        }
        if (region != null && region.isBlank()) {
            region = null;
        }
    }

    /** {@code POST} here with the password body to get a token. */
    public URI tokensUrl() {
        String base = authUrl.toString().replaceAll("/+$", "");
        return URI.create(base + "/auth/tokens");
    }

    @Override
    public ServiceLogin login(AuthHttp http, Clock clock) {
        return new KeystoneLogin(this, http, clock);
    }

    @Override
    public String toString() {
        return "KeystoneCredentials[authUrl=" + authUrl + ", user=" + user + ", password=***, project=" + project
                + ", userDomain=" + userDomain + ", projectDomain=" + projectDomain + ", region=" + region + "]";
    }
}
