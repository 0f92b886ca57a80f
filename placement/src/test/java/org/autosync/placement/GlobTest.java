package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

    @ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
            // literal text, including regex metacharacters
            "AUTH_.x      | AUTH_.x     | true",
            "AUTH_.x      | AUTH_ax     | false",
            "a+b          | a+b         | true",
            "a+b          | aab         | false",
            "(x)[y]{2}^$  | (x)[y]{2}^$  | true",
            "(x)[y]{2}^$  | xyy          | false",
            "a\\Eb        | a\\Eb       | true",
            "a\\Q*        | a\\Qzzz     | true",
            "a\\Q*        | aQzzz       | false",
            // ? is exactly one character
            "a?c          | abc         | true",
            "a?c          | ac          | false",
            "a?c          | abbc        | false",
            "???          | xyz         | true",
            "???          | xy          | false",
            // * is any run, including empty
            "*            | ''          | true",
            "*            | anything    | true",
            "a*           | a           | true",
            "a*           | abc         | true",
            "a*           | ba          | false",
            "*a           | bca         | true",
            "*a           | ab          | false",
            "a*c          | ac          | true",
            "a*c          | abbbc       | true",
            "a*c          | abcd        | false",
            "*-logs-*     | web-logs-2024 | true",
            "*-logs-*     | weblogs     | false",
            "**           | ''          | true",
            "*?           | ''          | false",
            "*?           | x           | true",
            // the empty glob only matches the empty string
            "''           | ''          | true",
            "''           | a           | false",
            // case-sensitive
            "AUTH_*       | auth_x      | false",
            "AUTH_*       | AUTH_x      | true",
    })
    void matches(String glob, String text, boolean expected) {
        assertEquals(expected, Glob.of(glob.equals("''") ? "" : glob).matches(text.equals("''") ? "" : text));
    }

    @Test
    void wildcardsSpanNewlinesAndPercentEncoding() {
        assertTrue(Glob.of("a*b").matches("a\nb"));
        assertTrue(Glob.of("a?b").matches("a\nb"));
        assertTrue(Glob.of("my%20*").matches("my%20container"));
    }

    @Test
    void equalityAndToStringUsePattern() {
        assertEquals(Glob.of("a*"), Glob.of("a*"));
        assertEquals(Glob.of("a*").hashCode(), Glob.of("a*").hashCode());
        assertFalse(Glob.of("a*").equals(Glob.of("a?")));
        assertEquals("AUTH_*", Glob.of("AUTH_*").toString());
    }
}
