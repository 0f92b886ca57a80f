package org.autosync.placement.repair;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepairRecordTest {

    private static RepairRecord container(String container, String target, long stamp) {
        return new RepairRecord("AUTH_t", container, RepairOp.CONTAINER_POST, target, "a", stamp,
                Set.of("x-container-meta-color"));
    }

    private static String sha256Prefix(String s) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d).substring(0, 8);
    }

    @Test
    void keys() {
        assertEquals("AUTH_t/c", container("c", "b", 1).key());
        assertEquals("AUTH_t", new RepairRecord("AUTH_t", "", RepairOp.ACCOUNT_POST, "b", "a", 1, Set.of()).key());
    }

    @Test
    void nameFormat() {
        RepairRecord r = container("c", "b", 42);
        assertEquals(r.keyHash() + "/b/0000000000000042-a-n1", r.name("n1"));
        assertTrue(r.name("n1").matches("[0-9a-f]{8}/b/[0-9]{16}-a-n1"), r.name("n1"));
        assertEquals(r.keyHash() + "/b/1700000000123456-a-x", container("c", "b", 1_700_000_000_123_456L).name("x"));
        assertThrows(NullPointerException.class, () -> r.name(null));
    }

    @Test
    void aKeysRecordsListTogetherAndInTimeOrder() {
        List<String> names = new ArrayList<>();
        // nonces chosen so that they would reverse the order if the stamp did not decide it
        names.add(container("c", "b", 10).name("a"));
        names.add(container("other", "b", 5).name("m"));
        names.add(container("c", "b", 9).name("z"));
        names.add(container("c", "b", 1_700_000_000_000_000L).name("0"));
        names.add(container("other", "b", 1).name("m"));
        names.add(container("c", "b", 0).name("zz"));
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);

        String c = container("c", "b", 0).keyHash();
        List<String> ofC = sorted.stream().filter(n -> RepairRecord.keyHashOf(n).equals(c)).toList();
        int first = sorted.indexOf(ofC.get(0));
        assertEquals(ofC, sorted.subList(first, first + ofC.size()), "a key's records are contiguous");
        assertEquals(List.of(
                container("c", "b", 0).name("zz"),
                container("c", "b", 9).name("z"),
                container("c", "b", 10).name("a"),
                container("c", "b", 1_700_000_000_000_000L).name("0")), ofC);
    }

    @Test
    void laterStampSortsAfterEarlierForTheSameKeyAndTarget() {
        for (long[] pair : new long[][] {{0, 1}, {9, 10}, {99, 100}, {999_999_999_999_999L, 1_000_000_000_000_000L}}) {
            String earlier = container("c", "b", pair[0]).name("z");
            String later = container("c", "b", pair[1]).name("a");
            assertTrue(earlier.compareTo(later) < 0, earlier + " vs " + later);
        }
    }

    @Test
    void keyHashIsStableEightHexOfSha256() throws Exception {
        RepairRecord r = container("c", "b", 1);
        assertEquals(r.keyHash(), r.keyHash());
        assertEquals(r.keyHash(), container("c", "other-target", 99).keyHash(), "target and stamp do not matter");
        assertEquals(r.keyHash(), RepairRecord.keyHash("AUTH_t", "c"));
        assertTrue(r.keyHash().matches("[0-9a-f]{8}"), r.keyHash());
        assertEquals(sha256Prefix("AUTH_t/c"), r.keyHash());
        assertNotEquals(r.keyHash(), RepairRecord.keyHash("AUTH_t", "d"));
        RepairRecord account = new RepairRecord("AUTH_t", "", RepairOp.ACCOUNT_PUT, "b", "a", 1, Set.of());
        assertEquals(sha256Prefix("AUTH_t/"), account.keyHash());
        assertEquals(RepairRecord.keyHash("AUTH_t", ""), account.keyHash());
        assertNotEquals(account.keyHash(), r.keyHash());
        // non-ASCII names are hashed as UTF-8
        assertEquals(sha256Prefix("AUTH_t/caf\u00e9"), RepairRecord.keyHash("AUTH_t", "caf\u00e9"));
    }

    @Test
    void keyHashOfAName() {
        RepairRecord r = container("c", "b", 7);
        assertEquals(r.keyHash(), RepairRecord.keyHashOf(r.name("n")));
        assertEquals("abcd0123", RepairRecord.keyHashOf("abcd0123"));
        assertEquals("abcd0123", RepairRecord.keyHashOf("abcd0123/b/x"));
        assertEquals("", RepairRecord.keyHashOf("/b/x"));
    }

    @Test
    void workerOfIsInRange() {
        for (int workers = 1; workers <= 7; workers++) {
            for (int i = 0; i < 200; i++) {
                int w = RepairRecord.workerOf(RepairRecord.keyHash("AUTH_t", "c" + i), workers);
                assertTrue(w >= 0 && w < workers, "worker " + w + " of " + workers);
            }
        }
        assertEquals(0, RepairRecord.workerOf("ffffffff", 1));
        assertEquals((int) (0xffffffffL % 7), RepairRecord.workerOf("ffffffff", 7));
        assertEquals(0, RepairRecord.workerOf("00000000", 3));
    }

    @Test
    void workerOfIsStableAndSpreads() {
        int workers = 4;
        int[] counts = new int[workers];
        for (int i = 0; i < 1000; i++) {
            String h = RepairRecord.keyHash("AUTH_t", "c" + i);
            int w = RepairRecord.workerOf(h, workers);
            assertEquals(w, RepairRecord.workerOf(h, workers));
            counts[w]++;
        }
        for (int c : counts) {
            assertTrue(c > 150 && c < 350, java.util.Arrays.toString(counts));
        }
    }

    @Test
    void workerOfRejectsFewerThanOneWorker() {
        assertThrows(IllegalArgumentException.class, () -> RepairRecord.workerOf("abcd0123", 0));
        assertThrows(IllegalArgumentException.class, () -> RepairRecord.workerOf("abcd0123", -1));
    }

    @Test
    void rejectsContainerOpWithoutContainer() {
        for (RepairOp op : List.of(RepairOp.CONTAINER_PUT, RepairOp.CONTAINER_POST, RepairOp.CONTAINER_DELETE)) {
            assertThrows(IllegalArgumentException.class,
                    () -> new RepairRecord("AUTH_t", "", op, "b", "a", 1, Set.of()), op.name());
        }
    }

    @Test
    void rejectsAccountOpWithContainer() {
        for (RepairOp op : List.of(RepairOp.ACCOUNT_PUT, RepairOp.ACCOUNT_POST, RepairOp.ACCOUNT_DELETE)) {
            assertThrows(IllegalArgumentException.class,
                    () -> new RepairRecord("AUTH_t", "c", op, "b", "a", 1, Set.of()), op.name());
        }
    }

    @Test
    void rejectsEmptyAccountAndNegativeStamp() {
        assertThrows(IllegalArgumentException.class,
                () -> new RepairRecord("", "c", RepairOp.CONTAINER_PUT, "b", "a", 1, Set.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new RepairRecord("", "", RepairOp.ACCOUNT_PUT, "b", "a", 1, Set.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_PUT, "b", "a", -1, Set.of()));
        assertDoesNotThrow(() -> new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_PUT, "b", "a", 0, Set.of()));
    }

    @Test
    void rejectsNulls() {
        assertThrows(NullPointerException.class,
                () -> new RepairRecord(null, "c", RepairOp.CONTAINER_PUT, "b", "a", 1, Set.of()));
        assertThrows(NullPointerException.class,
                () -> new RepairRecord("AUTH_t", null, RepairOp.CONTAINER_PUT, "b", "a", 1, Set.of()));
        assertThrows(NullPointerException.class,
                () -> new RepairRecord("AUTH_t", "c", null, "b", "a", 1, Set.of()));
        assertThrows(NullPointerException.class,
                () -> new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_PUT, null, "a", 1, Set.of()));
        assertThrows(NullPointerException.class,
                () -> new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_PUT, "b", null, 1, Set.of()));
        assertThrows(NullPointerException.class,
                () -> new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_PUT, "b", "a", 1, null));
    }

    @Test
    void headersAreACopyAndUnmodifiable() {
        Set<String> names = new HashSet<>(Set.of("x-container-meta-b", "x-container-meta-a"));
        RepairRecord r = new RepairRecord("AUTH_t", "c", RepairOp.CONTAINER_POST, "b", "a", 1, names);
        names.add("x-container-meta-c");
        assertEquals(List.of("x-container-meta-a", "x-container-meta-b"), List.copyOf(r.headers()));
        assertThrows(UnsupportedOperationException.class, () -> r.headers().add("x"));
        assertEquals(Map.of(), r.snapshot());
    }

    @Test
    void opsFromMethods() {
        assertEquals(RepairOp.CONTAINER_PUT, RepairOp.of("PUT", true));
        assertEquals(RepairOp.CONTAINER_POST, RepairOp.of("post", true));
        assertEquals(RepairOp.CONTAINER_DELETE, RepairOp.of("Delete", true));
        assertEquals(RepairOp.ACCOUNT_PUT, RepairOp.of("PUT", false));
        assertEquals(RepairOp.ACCOUNT_POST, RepairOp.of("POST", false));
        assertEquals(RepairOp.ACCOUNT_DELETE, RepairOp.of("DELETE", false));
        assertThrows(IllegalArgumentException.class, () -> RepairOp.of("GET", true));
        assertThrows(IllegalArgumentException.class, () -> RepairOp.of("HEAD", false));
        assertTrue(RepairOp.CONTAINER_DELETE.isDelete() && RepairOp.ACCOUNT_DELETE.isDelete());
        assertTrue(!RepairOp.CONTAINER_PUT.isDelete() && !RepairOp.ACCOUNT_POST.isDelete());
        assertTrue(RepairOp.CONTAINER_PUT.isContainer() && !RepairOp.ACCOUNT_PUT.isContainer());
    }

    /**
     * Record names must not depend on the JVM's default locale: under e.g. ar-SA, fa-IR or
     * th-TH-u-nu-thai a localised format gives non-ASCII digits, so names would differ (and sort
     * differently) between replicas with different locales.
     */
    @Test
    void nameDoesNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("ar-SA"));
            RepairRecord r = container("c", "b", 42);
            assertEquals(r.keyHash() + "/b/0000000000000042-a-n", r.name("n"));
        } finally {
            Locale.setDefault(saved);
        }
    }
}
