package org.autosync.auth;

/** The service login failed; the message names the auth URL and user, never the key. */
public final class AuthFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public AuthFailedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status of the failed login, 0 when no response was received. */
    public int status() {
        return status;
    }
}
