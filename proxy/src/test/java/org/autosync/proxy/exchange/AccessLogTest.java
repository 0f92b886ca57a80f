package org.autosync.proxy.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void uriWithoutQueryIsUnchanged() {
        assertEquals("/v1/AUTH_test/c/o", AccessLog.safeUri("/v1/AUTH_test/c/o"));
        assertEquals("/", AccessLog.safeUri("/"));
        assertEquals("/v1/AUTH_test/c/token-key-sig", AccessLog.safeUri("/v1/AUTH_test/c/token-key-sig"),
                "only query values are masked, never the path");
    }

    @Test
    void tempUrlSignatureIsMaskedAndExpiryKept() {
        assertEquals("/v1/AUTH_test/c/o?temp_url_sig=***&temp_url_expires=1700000000",
                AccessLog.safeUri("/v1/AUTH_test/c/o?temp_url_sig=da39a3ee5e6b4b0d3255bfef95601890afd80709"
                        + "&temp_url_expires=1700000000"));
    }

    @Test
    void tokenKeyAndSignatureLikeParametersAreMaskedWhateverTheirCase() {
        String safe = AccessLog.safeUri("/auth?token=AUTH_tk1&X-Auth-Token=AUTH_tk2&api_key=k1&Key=k2"
                + "&Signature=s1&TEMP_URL_SIG=s2&format=json");
        assertEquals("/auth?token=***&X-Auth-Token=***&api_key=***&Key=***&Signature=***&TEMP_URL_SIG=***"
                + "&format=json", safe);
        for (String secret : new String[] {"AUTH_tk1", "AUTH_tk2", "k1", "k2", "s1", "s2"}) {
            assertFalse(safe.contains("=" + secret), secret + " leaked into " + safe);
        }
    }

    @Test
    void otherParametersAreKeptExactlyIncludingEmptyAndValuelessOnes() {
        String uri = "/v1/AUTH_test/c?format=json&prefix=a%2Fb&limit=10&multipart-manifest=get&&delimiter=";
        assertEquals(uri, AccessLog.safeUri(uri));
    }

    @Test
    void emptyAndValuelessSecretsAreHandled() {
        assertEquals("/o?temp_url_sig=***&token", AccessLog.safeUri("/o?temp_url_sig=&token"));
        assertEquals("/o?", AccessLog.safeUri("/o?"));
    }

    @Test
    void valueContainingEqualsIsMaskedWhole() {
        assertEquals("/o?sig=***&x=1", AccessLog.safeUri("/o?sig=abc==&x=1"));
    }
}
