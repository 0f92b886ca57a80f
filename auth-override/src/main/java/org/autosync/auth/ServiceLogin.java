package org.autosync.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** One way of logging in as this site's service identity: tempauth v1 or Keystone v3. */
public interface ServiceLogin {

    /** A token and how long it is good for, counted from when the login was sent. */
    record Grant(String token, Duration lifetime) {
        public Grant {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(lifetime, "lifetime");
        }

        @Override
        public String toString() {
            return "Grant[token=***, lifetime=" + lifetime + "]";
        }
    }

    /** Who logs in where, for messages, e.g. {@code tempauth http://swift:8080/auth/v1.0 as sync}; no secret. */
    String describe();

    /**
     * Logs in once. Fails with {@link AuthFailedException} when the auth service answered but refused
     * (its message says why, without the password), or with the transport's exception.
     */
    CompletableFuture<Grant> login();
}
