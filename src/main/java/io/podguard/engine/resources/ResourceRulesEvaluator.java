package io.podguard.engine.resources;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Runs every resource rule on a pod, in a fixed order. Stateless, thread-safe. */
public final class ResourceRulesEvaluator {

    /** The registry: adding a rule is one class and one line here. */
    private static final List<ResourceCheck> CHECKS = List.of(
            new ResourcesRequiredCheck(), new ResourceMinCheck(), new ResourceMaxCheck(), new ResourceRatioCheck(),
            new PodResourceMinCheck(), new PodResourceMaxCheck(), new PodResourceRatioCheck(), new ExtendedResourcesCheck());

    public static final Set<String> IDS = CHECKS.stream().map(ResourceCheck::id).collect(Collectors.toUnmodifiableSet());

    private ResourceRulesEvaluator() {
    }

    public static List<Violation> evaluate(PodObject pod, ResourceRules rules) {
        if (rules.isEmpty()) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>(1);
        for (ResourceCheck check : CHECKS) {
            Violation v = check.check(pod, rules);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * In a denial, next to PSA's sentence: {@code violates resource rules: reason (detail), …};
     * elsewhere {@code would violate resource rules: …}.
     */
    public static String message(List<Violation> violations, boolean denied) {
        return (denied ? "violates" : "would violate") + " resource rules: "
                + violations.stream().map(Violation::message).collect(Collectors.joining(", "));
    }
}
