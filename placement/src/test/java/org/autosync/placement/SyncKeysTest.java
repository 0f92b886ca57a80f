package org.autosync.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SyncKeysTest {

    private static final String SECRET = "s3cret-shared-by-all-sites";

    @Test
    void knownAnswer() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("AUTH_test/photos".getBytes(StandardCharsets.UTF_8)));

        assertEquals(expected, new SyncKeys(SECRET).keyFor("AUTH_test", "photos"));
    }

    @Test
    void pinnedValueSoTheFormatCannotDriftBetweenReleases() {
        // computed independently: printf 'AUTH_test/photos' | openssl dgst -sha256 -hmac 's3cret-shared-by-all-sites'
        assertEquals("a57a1618600feff1df6befc8d64b3cb02844f4f58767b9dc05934040633cb2be",
                new SyncKeys(SECRET).keyFor("AUTH_test", "photos"));
    }

    @Test
    void outputIsLowercaseHexOf32Bytes() {
        String key = new SyncKeys(SECRET).keyFor("AUTH_a", "c");
        assertTrue(key.matches("[0-9a-f]{64}"), key);
    }

    @Test
    void deterministicAcrossInstances() {
        SyncKeys one = new SyncKeys(SECRET);
        SyncKeys two = new SyncKeys(SECRET.getBytes(StandardCharsets.UTF_8));
        assertEquals(one.keyFor("AUTH_a", "c"), two.keyFor("AUTH_a", "c"));
        assertEquals(one.keyFor("AUTH_a", "c"), one.keyFor("AUTH_a", "c"));
    }

    @Test
    void differsPerContainerAccountAndSecret() {
        SyncKeys keys = new SyncKeys(SECRET);
        String base = keys.keyFor("AUTH_a", "c");
        assertNotEquals(base, keys.keyFor("AUTH_a", "d"));
        assertNotEquals(base, keys.keyFor("AUTH_b", "c"));
        assertNotEquals(base, new SyncKeys(SECRET + "x").keyFor("AUTH_a", "c"));
    }

    @Test
    void secretBytesAreCopied() {
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        SyncKeys keys = new SyncKeys(secret);
        String before = keys.keyFor("AUTH_a", "c");
        secret[0] ^= 1;
        assertEquals(before, keys.keyFor("AUTH_a", "c"));
    }

    @Test
    void rejectsEmptySecret() {
        assertThrows(IllegalArgumentException.class, () -> new SyncKeys(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new SyncKeys(""));
    }

    @Test
    void toStringHidesSecret() {
        String s = new SyncKeys(SECRET).toString();
        assertFalse(s.contains(SECRET), s);
        assertTrue(s.contains("***"), s);
    }

    @Test
    void threadSafe() throws Exception {
        SyncKeys keys = new SyncKeys(SECRET);
        String expected = hmacHex(SECRET, "AUTH_a/c");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                tasks.add(() -> {
                    for (int j = 0; j < 200; j++) {
                        if (!expected.equals(keys.keyFor("AUTH_a", "c"))) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String hmacHex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
