package org.autosync.proxy.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Where {@code /status} comes from: plain maps and lists, written as JSON. */
@FunctionalInterface
public interface StatusSource {
    CompletableFuture<Map<String, Object>> status();
}
