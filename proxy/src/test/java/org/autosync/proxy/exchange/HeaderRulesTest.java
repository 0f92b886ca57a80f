package org.autosync.proxy.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    @Test
    void headersNamedByConnectionAreRemovedWithConnectionItself() {
        HttpHeaders h = headers(
                "Connection", "close, X-Foo",
                "X-Foo", "secret",
                "X-Keep", "kept");
        HeaderRules.stripHopByHop(h);
        assertFalse(h.contains("Connection"));
        assertFalse(h.contains("X-Foo"));
        assertEquals("kept", h.get("X-Keep"));
    }

    @Test
    void tokensFromEveryConnectionHeaderCountAndMatchCaseInsensitivelyIgnoringBlanks() {
        HttpHeaders h = headers(
                "Connection", "x-one ,, X-TWO",
                "connection", "X-Three",
                "X-One", "1", "X-Two", "2", "x-three", "3", "X-Four", "4");
        HeaderRules.stripHopByHop(h);
        assertFalse(h.contains("X-One"));
        assertFalse(h.contains("X-Two"));
        assertFalse(h.contains("X-Three"));
        assertEquals("4", h.get("X-Four"));
        assertFalse(h.contains("Connection"));
    }

    @Test
    void standardHopByHopHeadersAreRemovedWithoutConnection() {
        HttpHeaders h = headers(
                "Keep-Alive", "timeout=5, max=100",
                "Proxy-Connection", "keep-alive",
                "Proxy-Authenticate", "Basic realm=x",
                "Proxy-Authorization", "Basic dXNlcjpwYXNz",
                "TE", "trailers",
                "Trailer", "X-Checksum",
                "Upgrade", "websocket",
                "X-Auth-Token", "AUTH_tk");
        HeaderRules.stripHopByHop(h);
        for (String name : List.of("Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
                "TE", "Trailer", "Upgrade")) {
            assertFalse(h.contains(name), name + " is hop-by-hop");
        }
        assertEquals(List.of("X-Auth-Token"), h.names().stream().toList());
    }

    @Test
    void framingHeadersAreNeverRemovedThroughConnectionTokens() {
        HttpHeaders h = headers(
                "Connection", "Transfer-Encoding, content-length, X-Foo",
                "Transfer-Encoding", "chunked",
                "Content-Length", "12",
                "X-Foo", "bar");
        HeaderRules.stripHopByHop(h);
        assertEquals("chunked", h.get("Transfer-Encoding"), "Transfer-Encoding is the caller's to handle");
        assertEquals("12", h.get("Content-Length"));
        assertFalse(h.contains("X-Foo"));
    }

    @Test
    void endToEndHeadersAreKeptWithTheirValuesAndRepetitions() {
        HttpHeaders h = headers(
                "Host", "Swift.Example:8080",
                "X-Auth-Token", "AUTH_tk0123",
                "X-Object-Meta-Color", "Blue, Green",
                "ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"",
                "Content-Type", "application/octet-stream",
                "X-Forwarded-For", "203.0.113.7",
                "Accept", "text/plain",
                "Accept", "application/json",
                "Connection", "keep-alive");
        HeaderRules.stripHopByHop(h);
        assertEquals("Swift.Example:8080", h.get("Host"));
        assertEquals("AUTH_tk0123", h.get("X-Auth-Token"));
        assertEquals("Blue, Green", h.get("X-Object-Meta-Color"));
        assertEquals("\"d41d8cd98f00b204e9800998ecf8427e\"", h.get("ETag"));
        assertEquals("application/octet-stream", h.get("Content-Type"));
        assertEquals("203.0.113.7", h.get("X-Forwarded-For"));
        assertEquals(List.of("text/plain", "application/json"), h.getAll("Accept"));
        assertEquals(8, h.size(), "8 entries (Accept twice), only Connection gone");
    }

    @Test
    void headersWithoutHopByHopOnesAreUntouched() {
        HttpHeaders h = headers("X-Auth-Token", "t", "Content-Length", "0");
        HeaderRules.stripHopByHop(h);
        assertEquals(2, h.size());
        assertTrue(h.contains("X-Auth-Token"));
    }
}
