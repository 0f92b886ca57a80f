package org.autosync.placement;

import static org.autosync.placement.TestSites.A;
import static org.autosync.placement.TestSites.ABC;
import static org.autosync.placement.TestSites.B;
import static org.autosync.placement.TestSites.C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementPolicyTest {

    private static PlacementPolicy.Builder builder() {
        return PlacementPolicy.builder(ABC).defaultSites(List.of("a", "b"));
    }

    @Test
    void defaultWhenNoRuleMatches() {
        PlacementPolicy policy = builder().addRule("AUTH_x", "*", List.of("c")).build();
        assertEquals(List.of("a", "b"), policy.decide("AUTH_other", "photos").names());
        assertEquals(List.of("a", "b"), policy.decideAccount("AUTH_other").names());
    }

    @Test
    void defaultWithNoRules() {
        PlacementPolicy policy = builder().build();
        assertEquals(Placement.of(A, B), policy.decide("AUTH_a", "c"));
        assertEquals(Placement.of(A, B), policy.defaultPlacement());
    }

    @Test
    void firstMatchingRuleWins() {
        PlacementPolicy policy = builder()
                .addRule("AUTH_x", "backup-*", List.of("c"))
                .addRule("AUTH_x", "*", List.of("b", "c"))
                .addRule("*", "backup-*", List.of("a"))
                .build();
        assertEquals(List.of("c"), policy.decide("AUTH_x", "backup-1").names());
        assertEquals(List.of("b", "c"), policy.decide("AUTH_x", "photos").names());
        assertEquals(List.of("a"), policy.decide("AUTH_y", "backup-1").names());
        assertEquals(List.of("a", "b"), policy.decide("AUTH_y", "photos").names());
    }

    @Test
    void bothGlobsMustMatch() {
        PlacementPolicy policy = builder().addRule("AUTH_x", "logs", List.of("c")).build();
        assertEquals(List.of("a", "b"), policy.decide("AUTH_x", "photos").names());
        assertEquals(List.of("a", "b"), policy.decide("AUTH_y", "logs").names());
        assertEquals(List.of("c"), policy.decide("AUTH_x", "logs").names());
    }

    @Test
    void placementKeepsRuleOrderOfSites() {
        PlacementPolicy policy = builder().addRule("*", "*", List.of("c", "a", "b")).build();
        assertEquals(Placement.of(C, A, B), policy.decide("AUTH_a", "x"));
    }

    @Test
    void accountPlacementIsEverySiteAContainerOfTheAccountMayLiveAt() {
        PlacementPolicy policy = builder()
                .addRule("AUTH_x", "special-*", List.of("c"))
                .addRule("AUTH_x", "*", List.of("b", "c"))
                .addRule("AUTH_y*", "never-matches-anything", List.of("b"))
                .addRule("AUTH_x", "*", List.of("a")) // unreachable for AUTH_x: the catch-all above wins
                .build();
        // the narrow rule listed first no longer decides for the whole account
        assertEquals(List.of("c", "b"), policy.decideAccount("AUTH_x").names());
        // no catch-all rule: containers the narrow rule misses go to the default
        assertEquals(List.of("b", "a"), policy.decideAccount("AUTH_yz").names());
        assertEquals(List.of("a", "b"), policy.decideAccount("AUTH_z").names());
        // each container's placement is within its account's
        for (String c : List.of("special-1", "other")) {
            assertTrue(policy.decideAccount("AUTH_x").sites().containsAll(policy.decide("AUTH_x", c).sites()), c);
            assertTrue(policy.decideAccount("AUTH_yz").sites().containsAll(policy.decide("AUTH_yz", c).sites()), c);
        }
    }

    @Test
    void literalDotInAccountGlob() {
        PlacementPolicy policy = builder().addRule("AUTH_.x", "*", List.of("c")).build();
        assertEquals(List.of("c"), policy.decide("AUTH_.x", "c1").names());
        assertEquals(List.of("a", "b"), policy.decide("AUTH_ax", "c1").names());
    }

    @Test
    void exposesRulesWithResolvedNames() {
        PlacementPolicy policy = builder().addRule("AUTH_*", "c?", List.of("c")).build();
        assertEquals(1, policy.rules().size());
        PlacementRule rule = policy.rules().get(0);
        assertEquals(Glob.of("AUTH_*"), rule.account());
        assertEquals(Glob.of("c?"), rule.container());
        assertEquals(List.of("c"), rule.siteNames());
    }

    @Test
    void builderInputIsCopied() {
        var names = new java.util.ArrayList<>(List.of("a"));
        PlacementPolicy.Builder b = PlacementPolicy.builder(ABC).defaultSites(names);
        names.add("nope");
        assertEquals(List.of("a"), b.build().defaultPlacement().names());
    }

    // --- validation messages ---

    private static void assertError(String expected, PlacementPolicy.Builder b) {
        var e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void defaultMissing() {
        assertError("placement.default: empty", PlacementPolicy.builder(ABC));
    }

    @Test
    void defaultEmpty() {
        assertError("placement.default: empty", PlacementPolicy.builder(ABC).defaultSites(List.of()));
    }

    @Test
    void defaultUnknownSite() {
        assertError("placement.default: unknown site 'z'", PlacementPolicy.builder(ABC).defaultSites(List.of("a", "z")));
    }

    @Test
    void defaultDuplicateSite() {
        assertError("placement.default: duplicate site 'a'",
                PlacementPolicy.builder(ABC).defaultSites(List.of("a", "b", "a")));
    }

    @Test
    void defaultNullSite() {
        assertError("placement.default: null site name",
                PlacementPolicy.builder(ABC).defaultSites(Arrays.asList("a", null)));
    }

    @Test
    void ruleUnknownSiteNamesRuleIndex() {
        assertError("placement.rules[1].sites: unknown site 'z'", builder()
                .addRule("AUTH_a", "*", List.of("a"))
                .addRule("AUTH_b", "*", List.of("b", "z")));
    }

    @Test
    void ruleEmptySites() {
        assertError("placement.rules[0].sites: empty", builder().addRule("AUTH_a", "*", List.of()));
    }

    @Test
    void ruleNullSites() {
        assertError("placement.rules[0].sites: empty", builder().addRule("AUTH_a", "*", null));
    }

    @Test
    void ruleDuplicateSite() {
        assertError("placement.rules[2].sites: duplicate site 'c'", builder()
                .addRule("AUTH_a", "*", List.of("a"))
                .addRule("AUTH_b", "*", List.of("b"))
                .addRule("AUTH_c", "*", List.of("c", "c")));
    }

    @Test
    void ruleEmptyOrMissingGlobs() {
        assertError("placement.rules[0].account: empty", builder().addRule("", "*", List.of("a")));
        assertError("placement.rules[0].account: empty", builder().addRule(null, "*", List.of("a")));
        assertError("placement.rules[0].container: empty", builder().addRule("*", "", List.of("a")));
        assertError("placement.rules[0].container: empty", builder().addRule("*", null, List.of("a")));
    }
}
