package org.autosync.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.autosync.proxy.exchange.HeaderRules;

/**
 * Rewrites {@code _} in request header names to {@code -}, as Swift will read them anyway.
 *
 * <p>Swift's WSGI server turns every header name into an environ key ({@code X_Foo} and
 * {@code X-Foo} both become {@code HTTP_X_FOO}), so a name with an underscore means to Swift
 * what the dashed name means. Left as it was, {@code X_Container_Sync_To} would slip past every
 * check Autosync makes by name, and {@code Transfer_Encoding} would frame the body one way here and
 * another way at Swift. Normalising at ingress, before routing, makes every later check see the
 * name Swift will act on.
 *
 * <p>What cannot be normalised safely is refused: a name that becomes a framing or hop-by-hop
 * header (the framing was already read from the real ones), and a name that becomes the same as
 * another header of the request spelled differently (which of the two Swift keeps is its
 * server's choice, not ours).
 */
final class UnderscoreHeaders {
    private UnderscoreHeaders() {
    }

    /**
     * Renames the request's underscore headers in place. Null when the request may go on, else
     * what is wrong (the headers are then left as they were, for a 400).
     */
    static String normalise(HttpHeaders headers) {
        List<Map.Entry<String, String>> underscored = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (AsciiString.indexOf(e.getKey(), '_', 0) >= 0) {
                if (underscored == null) {
                    underscored = new ArrayList<>(2);
                }
                underscored.add(Map.entry(e.getKey().toString(), e.getValue().toString()));
            }
        }
        if (underscored == null) {
            return null; // nearly every request
        }
        for (Map.Entry<String, String> e : underscored) {
            String name = e.getKey();
            String dashed = name.replace('_', '-');
            if (isFraming(dashed) || HeaderRules.isHopByHop(dashed)) {
                return "header " + name + " reads as " + dashed + ", which may not be sent with an underscore";
            }
            if (headers.contains(dashed)) {
                return "header " + name + " reads as " + dashed + ", which the request also carries";
            }
            for (Map.Entry<String, String> other : underscored) {
                if (!other.getKey().equalsIgnoreCase(name)
                        && other.getKey().replace('_', '-').equalsIgnoreCase(dashed)) {
                    return "headers " + name + " and " + other.getKey() + " both read as " + dashed;
                }
            }
        }
        for (Map.Entry<String, String> e : underscored) {
            headers.remove(e.getKey());
        }
        for (Map.Entry<String, String> e : underscored) {
            headers.add(e.getKey().replace('_', '-'), e.getValue());
        }
        return null;
    }

    private static boolean isFraming(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals(HttpHeaderNames.CONTENT_LENGTH.toString())
                || lower.equals(HttpHeaderNames.TRANSFER_ENCODING.toString());
    }
}
