package org.autosync.placement.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicatedHeadersTest {

    @Test
    void removeFormSetsTheSameHeader() {
        assertEquals("x-container-meta-foo", ReplicatedHeaders.setForm("X-Remove-Container-Meta-Foo", true));
        assertEquals("x-container-meta-foo", ReplicatedHeaders.setForm("X-Container-Meta-Foo", true));
        assertEquals("x-container-meta-foo", ReplicatedHeaders.setForm("x-remove-container-meta-foo", true));
        assertEquals("x-account-meta-foo", ReplicatedHeaders.setForm("X-Remove-Account-Meta-Foo", false));
        assertEquals("x-account-meta-foo", ReplicatedHeaders.setForm("X-ACCOUNT-META-FOO", false));
    }

    @Test
    void containerAclsAndVersioningTargetsAreReplicated() {
        assertEquals("x-container-read", ReplicatedHeaders.setForm("X-Container-Read", true));
        assertEquals("x-container-read", ReplicatedHeaders.setForm("X-Remove-Container-Read", true));
        assertEquals("x-container-write", ReplicatedHeaders.setForm("X-Container-Write", true));
        assertEquals("x-container-write", ReplicatedHeaders.setForm("X-Remove-Container-Write", true));
        assertEquals("x-versions-location", ReplicatedHeaders.setForm("X-Versions-Location", true));
        assertEquals("x-versions-location", ReplicatedHeaders.setForm("X-Remove-Versions-Location", true));
        assertEquals("x-history-location", ReplicatedHeaders.setForm("X-History-Location", true));
        assertEquals("x-history-location", ReplicatedHeaders.setForm("X-Remove-History-Location", true));
    }

    @Test
    void accountAclIsReplicated() {
        assertEquals("x-account-access-control", ReplicatedHeaders.setForm("X-Account-Access-Control", false));
    }

    @Test
    void accountAndContainerHeadersDoNotCross() {
        assertNull(ReplicatedHeaders.setForm("X-Account-Meta-Foo", true));
        assertNull(ReplicatedHeaders.setForm("X-Remove-Account-Meta-Foo", true));
        assertNull(ReplicatedHeaders.setForm("X-Account-Access-Control", true));
        assertNull(ReplicatedHeaders.setForm("X-Container-Meta-Foo", false));
        assertNull(ReplicatedHeaders.setForm("X-Remove-Container-Meta-Foo", false));
        assertNull(ReplicatedHeaders.setForm("X-Container-Read", false));
        assertNull(ReplicatedHeaders.setForm("X-Versions-Location", false));
    }

    @Test
    void perSiteAndSystemHeadersAreNotReplicated() {
        for (String h : List.of("X-Container-Sync-To", "X-Container-Sync-Key", "X-Remove-Container-Sync-To",
                "X-Remove-Container-Sync-Key", "X-Storage-Policy", "X-Timestamp", "X-Container-Object-Count",
                "X-Container-Bytes-Used", "X-Put-Timestamp", "Content-Type", "Content-Length", "X-Auth-Token",
                "X-Trans-Id", "X-Remove-Foo", "X-Container-Metadata", "X-Container-Meta")) {
            assertNull(ReplicatedHeaders.setForm(h, true), h);
        }
        for (String h : List.of("X-Account-Object-Count", "X-Account-Container-Count", "X-Account-Bytes-Used",
                "X-Timestamp", "X-Account-Meta", "X-Remove-Account-Access-Control-Extra", "Content-Type")) {
            assertNull(ReplicatedHeaders.setForm(h, false), h);
        }
    }

    @Test
    void isReplicatedTakesLowerCaseSetForms() {
        assertTrue(ReplicatedHeaders.isReplicated("x-container-meta-color", true));
        assertTrue(ReplicatedHeaders.isReplicated("x-container-read", true));
        assertTrue(ReplicatedHeaders.isReplicated("x-account-meta-color", false));
        assertTrue(ReplicatedHeaders.isReplicated("x-account-access-control", false));
        assertFalse(ReplicatedHeaders.isReplicated(ReplicatedHeaders.SYNC_TO, true));
        assertFalse(ReplicatedHeaders.isReplicated(ReplicatedHeaders.SYNC_KEY, true));
        assertFalse(ReplicatedHeaders.isReplicated(ReplicatedHeaders.STORAGE_POLICY, true));
        assertFalse(ReplicatedHeaders.isReplicated(ReplicatedHeaders.OBJECT_COUNT, true));
        assertFalse(ReplicatedHeaders.isReplicated("x-remove-container-meta-color", true), "not a set form");
    }

    @Test
    void ofKeepsOnlyReplicatedContainerHeadersLowerCasedAndSorted() {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("X-Container-Meta-Zeta", "z");
        in.put("X-Container-Read", ".r:*");
        in.put("X-Container-Meta-Alpha", "A Value");
        in.put("X-Container-Sync-To", "//fed/a/AUTH_t/c");
        in.put("X-Container-Sync-Key", "secret");
        in.put("X-Storage-Policy", "gold");
        in.put("X-Timestamp", "1700000000.00000");
        in.put("X-Container-Object-Count", "3");
        in.put("X-Account-Meta-Color", "blue");
        in.put("Content-Type", "text/plain");
        Map<String, String> out = ReplicatedHeaders.of(in, true);
        assertEquals(Map.of("x-container-meta-alpha", "A Value", "x-container-meta-zeta", "z",
                "x-container-read", ".r:*"), out);
        assertEquals(List.of("x-container-meta-alpha", "x-container-meta-zeta", "x-container-read"),
                List.copyOf(out.keySet()));
    }

    @Test
    void ofKeepsOnlyReplicatedAccountHeaders() {
        Map<String, String> in = Map.of("X-Account-Meta-Color", "blue", "X-Account-Access-Control", "{}",
                "X-Account-Object-Count", "7", "X-Container-Meta-Color", "red", "X-Timestamp", "1");
        assertEquals(Map.of("x-account-meta-color", "blue", "x-account-access-control", "{}"),
                ReplicatedHeaders.of(in, false));
    }

    @Test
    void ofNothing() {
        assertEquals(Map.of(), ReplicatedHeaders.of(Map.of(), true));
        assertEquals(Map.of(), ReplicatedHeaders.of(Map.of("X-Timestamp", "1"), false));
    }

    @Test
    void tempUrlKeysAreSecret() {
        assertTrue(ReplicatedHeaders.isSecret("x-container-meta-temp-url-key"));
        assertTrue(ReplicatedHeaders.isSecret("x-account-meta-temp-url-key-2"));
        assertFalse(ReplicatedHeaders.isSecret("x-container-meta-color"));
    }
}
