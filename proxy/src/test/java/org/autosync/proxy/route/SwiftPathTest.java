package org.autosync.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.autosync.proxy.route.SwiftPath.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SwiftPath} must classify paths exactly as Swift's proxy does (split_path(path, 1, 4, True)). */
class SwiftPathTest {

    private static void assertPath(String uri, Kind kind, String account, String container, String object) {
        SwiftPath p = SwiftPath.parse(uri);
        assertEquals(kind, p.kind(), uri);
        assertEquals(account, p.account(), uri + " account");
        assertEquals(container, p.container(), uri + " container");
        assertEquals(object, p.object(), uri + " object");
    }

    @Test
    void accountPaths() {
        assertPath("/v1/AUTH_test", Kind.ACCOUNT, "AUTH_test", null, null);
        assertPath("/v1/AUTH_test/", Kind.ACCOUNT, "AUTH_test", null, null);
    }

    @Test
    void containerPaths() {
        assertPath("/v1/AUTH_test/c", Kind.CONTAINER, "AUTH_test", "c", null);
        // trailing slash: the object part is empty, so it is still the container
        assertPath("/v1/AUTH_test/c/", Kind.CONTAINER, "AUTH_test", "c", null);
    }

    @Test
    void objectPathKeepsSlashesOfTheObjectName() {
        assertPath("/v1/AUTH_test/c/o/x", Kind.OBJECT, "AUTH_test", "c", "o/x");
        assertPath("/v1/AUTH_test/c/o/", Kind.OBJECT, "AUTH_test", "c", "o/");
        assertPath("/v1/AUTH_test/c//o", Kind.OBJECT, "AUTH_test", "c", "/o");
    }

    @Test
    void encodedSlashIsDecodedBeforeSplittingLikeSwiftsWsgi() {
        assertPath("/v1/AUTH_test/c%2Fo", Kind.OBJECT, "AUTH_test", "c", "o");
        assertPath("/v1/AUTH_test/c%2fo%2Fp", Kind.OBJECT, "AUTH_test", "c", "o/p");
        assertPath("/v1/AUTH_test%2Fc", Kind.CONTAINER, "AUTH_test", "c", null);
    }

    @Test
    void emptyContainerMakesItAnAccountPathLikeSwift() {
        assertPath("/v1/AUTH_test//o", Kind.ACCOUNT, "AUTH_test", null, null);
        assertPath("/v1/AUTH_test//o/p", Kind.ACCOUNT, "AUTH_test", null, null);
    }

    @Test
    void versionOnePointZeroIsAccepted() {
        assertPath("/v1.0/AUTH_test/c", Kind.CONTAINER, "AUTH_test", "c", null);
        assertPath("/v1.0/AUTH_test", Kind.ACCOUNT, "AUTH_test", null, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/AUTH_test", "/v2/AUTH_test/c", "/auth/v1.0", "/info", "/healthcheck", "/", "",
        "/v1", "/v1/", "/v1//c", "/V1/AUTH_test/c", "v1/AUTH_test/c", "/v1x/AUTH_test/c", "*"})
    void nonSwiftStoragePathsAreOther(String uri) {
        assertPath(uri, Kind.OTHER, null, null, null);
    }

    @Test
    void queryIsIgnored() {
        assertPath("/v1/AUTH_test/c?x=1", Kind.CONTAINER, "AUTH_test", "c", null);
        assertPath("/v1/AUTH_test/c?path=a/b/c&prefix=%2F", Kind.CONTAINER, "AUTH_test", "c", null);
        assertPath("/v1/AUTH_test?format=json", Kind.ACCOUNT, "AUTH_test", null, null);
        assertPath("/v1/AUTH_test/c/o?multipart-manifest=put", Kind.OBJECT, "AUTH_test", "c", "o");
    }

    @Test
    void plusIsNotASpace() {
        assertPath("/v1/AUTH_test/c+d", Kind.CONTAINER, "AUTH_test", "c+d", null);
        assertPath("/v1/AUTH_test/c%2Bd%20e", Kind.CONTAINER, "AUTH_test", "c+d e", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/AUTH_test/c%zz", "/v1/AUTH_test/c%2", "/v1/AUTH_test/c%", "/v1/AUTH_test/c%G0",
        "/v1/AUTH_test/c%ff", "/v1/AUTH_test/c%C3", "/v1/AUTH_test/c%C3%28", "/v1/AUTH_test/%ED%A0%80",
        "/v1/AUTH_test/c%C0%AF", "/v1/AUTH_test/a%00b", "/v1/AUTH_test/c/o%00"})
    void invalidEscapeOrInvalidUtf8IsOther(String uri) {
        assertPath(uri, Kind.OTHER, null, null, null);
    }

    @Test
    void percentEncodedUtf8IsDecoded() {
        assertPath("/v1/AUTH_test/caf%C3%A9", Kind.CONTAINER, "AUTH_test", "caf\u00e9", null);
        assertPath("/v1/AUTH_test/%E6%97%A5%E6%9C%AC/%F0%9F%93%A6", Kind.OBJECT, "AUTH_test",
                "\u65e5\u672c", "\ud83d\udce6");
    }

    /**
     * A request line is decoded by Netty one byte per char (ISO-8859-1), so raw UTF-8 bytes of
     * "café" arrive as "cafÃ©". Swift (eventlet, WSGI strings) treats raw and percent-encoded bytes
     * identically, so both must name the container "café".
     */
    @Test
    void rawUtf8BytesInTheRequestLineNameTheSameContainerAsTheirPercentEncoding() {
        String rawAsNettyGivesIt = new String("/v1/AUTH_test/caf\u00e9".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        SwiftPath raw = SwiftPath.parse(rawAsNettyGivesIt);
        SwiftPath encoded = SwiftPath.parse("/v1/AUTH_test/caf%C3%A9");
        assertEquals(encoded, raw, "raw UTF-8 path bytes must decode like their %-escapes");
    }

    @Test
    void quoteEncodesEverythingButUnreserved() {
        assertEquals("AUTH_test-1.x~", SwiftPath.quote("AUTH_test-1.x~"));
        assertEquals("caf%C3%A9", SwiftPath.quote("caf\u00e9"));
        assertEquals("a%20b%2Bc%2Fd%3Fe%23f%25", SwiftPath.quote("a b+c/d?e#f%"));
        assertEquals("%F0%9F%93%A6", SwiftPath.quote("\ud83d\udce6"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"caf\u00e9", "\u65e5\u672c\u8a9e", "\ud83d\udce6 box", "a b+c?e#f%&=;",
        "\u00fc\u00df\u00e7", "plain"})
    void quoteRoundTripsThroughParse(String name) {
        SwiftPath p = SwiftPath.parse("/v1/" + SwiftPath.quote("AUTH_\u00e9") + "/" + SwiftPath.quote(name));
        assertEquals(Kind.CONTAINER, p.kind(), name);
        assertEquals("AUTH_\u00e9", p.account());
        assertEquals(name, p.container());
        assertNull(p.object());
    }

    @Test
    void dotSegmentsAreNamesNotNavigationLikeSwift() {
        // Swift 2.30 creates containers "." and ".." for these (checked on the lab)
        assertPath("/v1/AUTH_test/.", Kind.CONTAINER, "AUTH_test", ".", null);
        assertPath("/v1/AUTH_test/..", Kind.CONTAINER, "AUTH_test", "..", null);
        assertPath("/v1/AUTH_test/./c", Kind.OBJECT, "AUTH_test", ".", "c");
        assertPath("/v1/AUTH_test/c/../d", Kind.OBJECT, "AUTH_test", "c", "../d");
        assertPath("/v1/AUTH_test/%2E%2E", Kind.CONTAINER, "AUTH_test", "..", null);
    }

    @Test
    void queryOnAContainerPutDoesNotChangeTheName() {
        assertPath("/v1/AUTH_test/c1?x=1&format=json", Kind.CONTAINER, "AUTH_test", "c1", null);
        assertPath("/v1/AUTH_test/c1/?x=1", Kind.CONTAINER, "AUTH_test", "c1", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/AUTH_test/c?extract-archive=tar", "/v1/AUTH_test?extract-archive=tar.gz",
        "/v1/AUTH_test?bulk-delete", "/v1/AUTH_test?format=json&bulk-delete=1", "/v1/AUTH_test?bulk%2Ddelete",
        "/v1/AUTH_test?bulk-delete=", "/v1/AUTH_test/c?extract-archive=tar&x=1"})
    void bulkOperationsAreRecognisedHoweverSpelled(String uri) {
        assertTrue(SwiftPath.isBulk(uri), uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/AUTH_test/c", "/v1/AUTH_test/c?format=json", "/v1/AUTH_test/bulk-delete",
        "/v1/AUTH_test?prefix=extract-archive", "/v1/AUTH_test/c?x=1;extract-archive=tar",
        "/v1/AUTH_test/c?bulk-delete+", "/v1/AUTH_test/c?extract-archive=", "/v1/AUTH_test/c?extract-archive"})
    void otherQueriesAreNotBulk(String uri) {
        assertFalse(SwiftPath.isBulk(uri), uri);
    }

    @Test
    void aBulkDeleteIsAPostOrDeleteWithTheParameter() {
        assertTrue(SwiftPath.isBulkDelete("POST", "/v1/AUTH_test?bulk-delete"));
        assertTrue(SwiftPath.isBulkDelete("DELETE", "/v1/AUTH_test?format=json&bulk-delete=1"));
        assertTrue(SwiftPath.isBulkDelete("POST", "/v1/AUTH_test?bulk%2Ddelete"));
        assertFalse(SwiftPath.isBulkDelete("PUT", "/v1/AUTH_test?bulk-delete"), "Swift's bulk ignores it on a PUT");
        assertFalse(SwiftPath.isBulkDelete("POST", "/v1/AUTH_test?bulk-delete+"));
        assertFalse(SwiftPath.isBulkDelete("POST", "/v1/AUTH_test/bulk-delete"));
    }

    @Test
    void unquoteIsPythonsLeavingWhatDoesNotDecode() {
        assertEquals("c d/o+p", SwiftPath.unquote("c%20d%2Fo+p"));
        assertEquals("caf\u00e9", SwiftPath.unquote("caf%C3%A9"));
        assertEquals("100%", SwiftPath.unquote("100%"), "a bad escape is kept");
        assertEquals("xA%", SwiftPath.unquote("x%41%"), "the good escape decoded, the bad one kept");
        assertEquals("B\u00fccher alt", SwiftPath.unquote("B\u00fccher%20alt"), "raw non-ASCII with an escape");
        assertEquals("\ufffd", SwiftPath.unquote("%FF"), "invalid UTF-8 replaced, as Python does");
    }

    @Test
    void anArchiveUploadIsAPutWithAFormat() {
        assertTrue(SwiftPath.isExtractArchive("PUT", "/v1/AUTH_test/c?extract-archive=tar"));
        assertFalse(SwiftPath.isExtractArchive("DELETE", "/v1/AUTH_test/c?extract-archive=tar"),
                "Swift's bulk ignores it on a DELETE: a plain container DELETE");
        assertFalse(SwiftPath.isExtractArchive("POST", "/v1/AUTH_test/c?extract-archive=tar"));
        assertFalse(SwiftPath.isExtractArchive("PUT", "/v1/AUTH_test/c?extract-archive="), "Swift answers that itself");
    }

    @Test
    void absoluteFormTargetsAreReadByTheirPathLikeSwift() {
        assertPath("http://swift.example:8080/v1/AUTH_test/c1", Kind.CONTAINER, "AUTH_test", "c1", null);
        assertPath("HTTPS://x/v1/AUTH_test/c1/o?x=1", Kind.OBJECT, "AUTH_test", "c1", "o");
        assertEquals("/", SwiftPath.originForm("http://host-only"));
    }
}
