package org.autosync.proxy.config;

/** A configuration problem, naming the key so the operator can find it. */
public final class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public SettingsException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public SettingsException(String key, String message, Throwable cause) {
        super(key + ": " + message, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
