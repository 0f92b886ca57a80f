package org.autosync.proxy.federation.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class RealmCheckTest {
    private static JsonNode info(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    // what Swift 2.30's /info says with the lab's container-sync-realms.conf
    private static final String LAB = "{\"swift\": {}, \"container_sync\": {\"realms\": {\"LAB\": {\"clusters\": "
            + "{\"A\": {\"current\": true}, \"B\": {}}}}}}";

    @Test
    void aClusterThatKnowsTheRealmAndEveryClusterPasses() throws Exception {
        assertEquals(List.of(), RealmCheck.missing(info(LAB), "lab", List.of("a", "b")));
    }

    @Test
    void anUnknownRealmIsNamedWithTheOnesSwiftHas() throws Exception {
        List<String> m = RealmCheck.missing(info(LAB), "prod", List.of("a", "b"));
        assertEquals(List.of("realm PROD unknown (container-sync-realms.conf has LAB)"), m);
    }

    @Test
    void aMissingClusterIsNamed() throws Exception {
        List<String> m = RealmCheck.missing(info(LAB), "lab", List.of("a", "b", "c"));
        assertEquals(List.of("cluster C not in realm LAB (it has A, B)"), m);
    }

    @Test
    void noContainerSyncMiddlewareIsSaid() throws Exception {
        List<String> m = RealmCheck.missing(info("{\"swift\": {}}"), "lab", List.of("a"));
        assertTrue(m.get(0).contains("container_sync middleware"), m.toString());
    }
}
