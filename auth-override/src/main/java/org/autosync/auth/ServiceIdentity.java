package org.autosync.auth;

import java.time.Clock;

/** Who a site in {@code override} mode acts as at its own cluster: a tempauth or a Keystone user. */
public sealed interface ServiceIdentity permits ServiceCredentials, KeystoneCredentials {

    /** The login for this identity, over {@code http}. */
    ServiceLogin login(AuthHttp http, Clock clock);
}
