package org.autosync.proxy.federation.check;

import static java.util.Objects.requireNonNull;

/**
 * One thing {@code autosync check} looked at: whether it is right, what was seen, and when it is
 * not, which configuration (Autosync's or Swift's) to fix.
 */
public record Finding(String what, boolean ok, String detail, String fix) {
    public Finding {
        requireNonNull(what, "what");
        requireNonNull(detail, "detail");
        requireNonNull(fix, "fix");
    }

    static Finding ok(String what, String detail) {
        return new Finding(what, true, detail, "");
    }

    static Finding failed(String what, String detail, String fix) {
        return new Finding(what, false, detail, fix);
    }
}
