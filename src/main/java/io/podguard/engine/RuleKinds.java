package io.podguard.engine;

import io.podguard.engine.placement.PlacementKind;
import io.podguard.engine.psp.PspKind;
import io.podguard.engine.pss.PodSecurityKind;
import io.podguard.engine.resources.ResourceRulesKind;
import io.podguard.engine.rules.AdmissionPoliciesKind;
import io.podguard.engine.rules.CelRulesKind;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry of rule kinds, in the order they judge (and their sentences appear in a
 * message). One line per kind.
 */
public final class RuleKinds {

    private static final List<RuleKind<?>> ALL = List.of(
            PodSecurityKind.INSTANCE,
            ResourceRulesKind.INSTANCE,
            PlacementKind.INSTANCE,
            CelRulesKind.INSTANCE,
            AdmissionPoliciesKind.INSTANCE,
            PspKind.INSTANCE);

    private RuleKinds() {
    }

    public static List<RuleKind<?>> all() {
        return ALL;
    }

    /** Every fixed rule id of every kind, sorted: what an exemption's {@code checks} may name. */
    public static Set<String> ruleIds() {
        Set<String> ids = new TreeSet<>();
        for (RuleKind<?> kind : ALL) {
            ids.addAll(kind.ruleIds());
        }
        return ids;
    }

    /** The position of {@code kind} in the registry; kinds not registered (tests) come last. */
    static int order(RuleKind<?> kind) {
        int i = ALL.indexOf(kind);
        return i < 0 ? ALL.size() : i;
    }
}
