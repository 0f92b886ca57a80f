package org.autosync.proxy.federation.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Whether a Swift cluster's {@code /info} knows the container-sync realm and clusters Autosync
 * writes into {@code X-Container-Sync-To}: a pure function over the parsed {@code /info}.
 * Swift lists them upper-cased, names only ({@code container_sync.realms.<REALM>.clusters}).
 */
public final class RealmCheck {
    private RealmCheck() {
    }

    /** What is missing at this cluster; empty when it knows the realm and every cluster named. */
    public static List<String> missing(JsonNode info, String realm, List<String> clusters) {
        List<String> problems = new ArrayList<>();
        JsonNode sync = info.path("container_sync");
        if (sync.isMissingNode()) {
            problems.add("no container_sync in /info: the container_sync middleware is not in the proxy pipeline");
            return problems;
        }
        JsonNode realms = sync.path("realms");
        JsonNode r = realms.path(realm.toUpperCase(Locale.ROOT));
        if (r.isMissingNode()) {
            List<String> known = new ArrayList<>();
            realms.fieldNames().forEachRemaining(known::add);
            problems.add("realm " + realm.toUpperCase(Locale.ROOT) + " unknown (container-sync-realms.conf has "
                    + (known.isEmpty() ? "no realm" : String.join(", ", known)) + ")");
            return problems;
        }
        List<String> have = new ArrayList<>();
        Iterator<String> it = r.path("clusters").fieldNames();
        it.forEachRemaining(have::add);
        for (String c : clusters) {
            if (!have.contains(c.toUpperCase(Locale.ROOT))) {
                problems.add("cluster " + c.toUpperCase(Locale.ROOT) + " not in realm " + realm.toUpperCase(Locale.ROOT)
                        + " (it has " + (have.isEmpty() ? "none" : String.join(", ", have)) + ")");
            }
        }
        return problems;
    }
}
