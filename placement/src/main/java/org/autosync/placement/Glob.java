package org.autosync.placement;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A shell-style wildcard pattern: {@code *} matches any run of characters (including none),
 * {@code ?} matches exactly one character, everything else matches itself. Case-sensitive,
 * like Swift account and container names.
 *
 * <p>There is no escape character: account and container names that contain a literal
 * {@code *} or {@code ?} can still be matched with {@code ?} at that position.
 */
public final class Glob {

    private final String pattern;
    private final Pattern regex;

    private Glob(String pattern) {
        this.pattern = pattern;
        this.regex = Pattern.compile(toRegex(pattern), Pattern.DOTALL);
    }

    public static Glob of(String pattern) {
        return new Glob(Objects.requireNonNull(pattern, "pattern"));
    }

    public boolean matches(String text) {
        Objects.requireNonNull(text, "text");
        return regex.matcher(text).matches();
    }

    public String pattern() {
        return pattern;
    }

    // Literal runs are quoted so that configuration text can never act as regex syntax.
    private static String toRegex(String glob) {
        StringBuilder out = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    out.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                out.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            out.append(Pattern.quote(literal.toString()));
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob other && pattern.equals(other.pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
