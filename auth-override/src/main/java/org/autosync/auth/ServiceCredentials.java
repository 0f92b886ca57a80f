package org.autosync.auth;

import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;

/**
 * A tempauth (v1) service identity a site's proxy logs in with to act on a verified peer's behalf.
 *
 * @param authUrl tempauth v1 endpoint, e.g. {@code http://swift:8080/auth/v1.0}
 * @param user    e.g. {@code autosync:sync}
 * @param key     the password; never printed
 */
public record ServiceCredentials(URI authUrl, String user, String key) implements ServiceIdentity {

    public ServiceCredentials {
        Objects.requireNonNull(authUrl, "authUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(key, "key");
        String scheme = authUrl.getScheme() == null ? "" : authUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("authUrl: must be http or https, not '" + authUrl + "'");
        }
        if (authUrl.getHost() == null) {
            throw new IllegalArgumentException("authUrl: host required");
        }
        if (authUrl.getRawUserInfo() != null) {
            // the URL ends up in messages and logs
            throw new IllegalArgumentException("authUrl: must not contain user info");
        }
        if (user.isBlank()) {
            throw new IllegalArgumentException("user: empty");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key: empty");
        }
    }

    @Override
    public ServiceLogin login(AuthHttp http, Clock clock) {
        return new TempAuthLogin(this, http);
    }

    @Override
    public String toString() {
        return "ServiceCredentials[authUrl=" + authUrl + ", user=" + user + ", key=***]";
    }
}
