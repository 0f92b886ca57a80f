package org.autosync.placement.repair;

import java.util.Locale;

/** The kind of client change a repair record stands for. */
public enum RepairOp {
    CONTAINER_PUT,
    CONTAINER_POST,
    CONTAINER_DELETE,
    /**
     * A client's container DELETE while some copy still held objects: every copy is kept until
     * all read empty (sync drains them), then deleted everywhere. Owned by the site that took it.
     */
    CONTAINER_DRAIN,
    ACCOUNT_PUT,
    ACCOUNT_POST,
    ACCOUNT_DELETE;

    /** The op for a client's {@code method} on an account or a container. */
    public static RepairOp of(String method, boolean container) {
        String m = method.toUpperCase(Locale.ROOT);
        return switch (m) {
            case "PUT" -> container ? CONTAINER_PUT : ACCOUNT_PUT;
            case "POST" -> container ? CONTAINER_POST : ACCOUNT_POST;
            case "DELETE" -> container ? CONTAINER_DELETE : ACCOUNT_DELETE;
            default -> throw new IllegalArgumentException("no repair for method " + method);
        };
    }

    public boolean isContainer() {
        return this == CONTAINER_PUT || this == CONTAINER_POST || this == CONTAINER_DELETE || this == CONTAINER_DRAIN;
    }

    public boolean isDelete() {
        return this == CONTAINER_DELETE || this == CONTAINER_DRAIN || this == ACCOUNT_DELETE;
    }
}
