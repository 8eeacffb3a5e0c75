package io.podguard.engine.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Mode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugins' namespace annotations, read over the policy's values. */
class NamespaceAnnotationsTest {

    private static final Toleration POLICY_DEFAULT = new Toleration("dedicated", "Equal", "web", "NoSchedule", null);
    private static final PlacementPolicy POLICY = new PlacementPolicy(
            new NodeSelectorPlacement(Mode.ENFORCE, Map.of("infra", "false"), Map.of(), null),
            new TolerationPlacement(Mode.ENFORCE, List.of(POLICY_DEFAULT), List.of(POLICY_DEFAULT), TolerationPlacement.CLUSTER, null, null),
            null, null, null, null);

    @Test
    void applyWhenNoAnnotationsThenThePolicysValues() {
        assertThat(NamespaceAnnotations.apply(POLICY, Map.of())).isEqualTo(POLICY);
    }

    @Test
    void applyWhenAnnotationsThenTheyWinAndTheWhitelistIsTheNamespaces() {
        PlacementPolicy p = NamespaceAnnotations.apply(POLICY, Map.of(
                NamespaceAnnotations.NODE_SELECTOR, "team=ml",
                NamespaceAnnotations.DEFAULT_TOLERATIONS, "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"ml\",\"effect\":\"NoSchedule\"}]",
                NamespaceAnnotations.TOLERATIONS_WHITELIST, "[{\"key\":\"dedicated\",\"operator\":\"Exists\"}]"));
        assertThat(p.nodeSelector().selector()).containsExactly(Map.entry("team", "ml"));
        assertThat(p.tolerations().defaults()).containsExactly(new Toleration("dedicated", "Equal", "ml", "NoSchedule", null));
        assertThat(p.tolerations().whitelist()).containsExactly(new Toleration("dedicated", "Exists", "", "", null));
        assertThat(p.tolerations().whitelistScope()).isEqualTo("namespace");
    }

    @Test
    void applyWhenAnnotationsEmptyThenTheyStillWinEmpty() {
        PlacementPolicy p = NamespaceAnnotations.apply(POLICY, Map.of(NamespaceAnnotations.NODE_SELECTOR, "",
                NamespaceAnnotations.DEFAULT_TOLERATIONS, "", NamespaceAnnotations.TOLERATIONS_WHITELIST, "null"));
        assertThat(p.nodeSelector().selector()).isEmpty();
        assertThat(p.tolerations().defaults()).isEmpty();
        assertThat(p.tolerations().whitelist()).isEmpty();
    }

    @Test
    void applyWhenAnnotationsUnreadableThenErrorsNamingThem() {
        PlacementPolicy p = NamespaceAnnotations.apply(POLICY, Map.of(NamespaceAnnotations.NODE_SELECTOR, "team",
                NamespaceAnnotations.DEFAULT_TOLERATIONS, "{}", NamespaceAnnotations.TOLERATIONS_WHITELIST, "[{\"key\": 5}]"));
        assertThat(p.nodeSelector().error())
                .isEqualTo("namespace annotation scheduler.alpha.kubernetes.io/node-selector is not a node selector: \"team\" is not key=value");
        assertThat(p.tolerations().defaultsError())
                .isEqualTo("namespace annotation scheduler.alpha.kubernetes.io/defaultTolerations is not a list of tolerations: expected a JSON list, got object");
        assertThat(p.tolerations().whitelistError())
                .isEqualTo("namespace annotation scheduler.alpha.kubernetes.io/tolerationsWhitelist is not a list of tolerations: entry 0: key is not a string");
    }

    @Test
    void applyWhenPartsOffThenAnnotationsIgnored() {
        assertThat(NamespaceAnnotations.apply(PlacementPolicy.NONE, Map.of(NamespaceAnnotations.NODE_SELECTOR, "team=ml")))
                .isEqualTo(PlacementPolicy.NONE);
    }

    @Test
    void parseWhenGoWouldRefuseThenRefused() {
        assertThat(NamespaceAnnotations.parse("[null, {\"key\":\"k\",\"tolerationSeconds\":5,\"unknown\":1}]"))
                .containsExactly(new Toleration("", "", "", "", null), new Toleration("k", "", "", "", 5L));
        assertThatThrownBy(() -> NamespaceAnnotations.parse("[{\"tolerationSeconds\": 1.5}]"))
                .hasMessage("entry 0: tolerationSeconds is not a whole number");
        assertThatThrownBy(() -> NamespaceAnnotations.parse("[7]")).hasMessage("entry 0 is not an object");
        assertThatThrownBy(() -> NamespaceAnnotations.parse("[{")).hasMessageStartingWith("not JSON (");
    }

    @Test
    void parseWhenHugeListThenRefused() {
        String huge = "[" + "{},".repeat(Tolerations.MAX) + "{}]";
        assertThatThrownBy(() -> NamespaceAnnotations.parse(huge)).hasMessage("more than 1000 tolerations");
    }
}
