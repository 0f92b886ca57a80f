package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SiteTest {

    private static final URI URL = URI.create("http://proxy.example:8080");

    @Test
    void acceptsValidSite() {
        Site site = new Site("Site_1-x", URI.create("http://proxy.example/base"), "c1");
        assertEquals("Site_1-x", site.name());
        assertEquals("c1", site.realmCluster());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a.b", "a/b", "é"})
    void rejectsBadName(String name) {
        var e = assertThrows(IllegalArgumentException.class, () -> new Site(name, URL, "c"));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    @Test
    void rejectsNullName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Site(null, URL, "c"));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://proxy.example/", "proxy.example:8080", "http:///nohost", "http://h/?q=1",
            "http://h/#frag", "mailto:x@y"})
    void rejectsBadUrl(String url) {
        var e = assertThrows(IllegalArgumentException.class, () -> new Site("a", URI.create(url), "c"));
        assertTrue(e.getMessage().contains("url"), e.getMessage());
    }

    @Test
    void acceptsHttps() {
        assertEquals("https", new Site("a", URI.create("https://proxy.example:9443"), "c").url().getScheme());
    }

    @Test
    void rejectsNullUrl() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Site("a", null, "c"));
        assertTrue(e.getMessage().contains("url"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "a/b", " c"})
    void rejectsBadRealmCluster(String cluster) {
        var e = assertThrows(IllegalArgumentException.class, () -> new Site("a", URL, cluster));
        assertTrue(e.getMessage().contains("realmCluster"), e.getMessage());
    }

    @Test
    void rejectsNullRealmCluster() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Site("a", URL, null));
        assertTrue(e.getMessage().contains("realmCluster"), e.getMessage());
    }
}
