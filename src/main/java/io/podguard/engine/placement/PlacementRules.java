package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs the placement rules on a pod, in a fixed order. Stateless, thread-safe. Rule ids start
 * {@code placement.}; the defaulters of the same part share its id
 * ({@code placement.nodeSelector} merges the selector and judges it).
 */
public final class PlacementRules {

    public static final String ID_PREFIX = "placement.";
    public static final String NODE_NAME = "placement.nodeName";
    public static final String NODE_SELECTOR = "placement.nodeSelector";
    public static final String NODE_LABELS = "placement.nodeLabels";
    public static final String TOLERATIONS = "placement.tolerations";
    public static final String DEDICATED_NODES = "placement.dedicatedNodes";
    /** The id of ExtendedResourceToleration's defaulter; it has no rule. */
    public static final String EXTENDED_RESOURCE_TOLERATIONS = "placement.extendedResourceTolerations";

    /** The registry: adding a rule is one class and one line here. */
    private static final List<PlacementRule> RULES = List.of(
            new NodeNameRule(), new NodeSelectorRule(), new NodeLabelsRule(), new TolerationsRule(), new DedicatedNodesRule());

    /** The rule ids and the defaulter ids an exemption may name. */
    public static final Set<String> IDS = java.util.stream.Stream.concat(
            RULES.stream().map(PlacementRule::id), java.util.stream.Stream.of(EXTENDED_RESOURCE_TOLERATIONS))
            .collect(Collectors.toUnmodifiableSet());

    /** PodNodeSelector's and PodTolerationRestriction's refusals, in their own words. */
    private static final Set<String> PLUGIN_MESSAGES = Set.of(NodeSelectorRule.CONFLICT, NodeSelectorRule.NOT_WHITELISTED,
            String.format(TolerationsRule.NOT_WHITELISTED, TolerationPlacement.NAMESPACE),
            String.format(TolerationsRule.NOT_WHITELISTED, TolerationPlacement.CLUSTER));

    /** A rule's detail names at most this many findings, then how many more: a hostile pod's message stays short. */
    static final int MAX_FINDINGS = 5;

    private PlacementRules() {
    }

    /** {@code a; b; c; … and 12 more}. */
    static String findings(List<String> details) {
        if (details.size() <= MAX_FINDINGS) {
            return String.join("; ", details);
        }
        return String.join("; ", details.subList(0, MAX_FINDINGS)) + "; and " + (details.size() - MAX_FINDINGS) + " more";
    }

    static List<PlacementRule> all() {
        return RULES;
    }

    public static boolean isPlacementRule(String ruleId) {
        return ruleId.startsWith(ID_PREFIX);
    }

    /** The ids of the rules that judge in {@code mode}, in order. */
    public static List<String> judging(PlacementPolicy policy, Mode mode) {
        List<String> out = new ArrayList<>(0);
        for (PlacementRule rule : RULES) {
            if (rule.mode(policy) == mode) {
                out.add(rule.id());
            }
        }
        return out;
    }

    /** The violations of the rules judging in {@code mode}. */
    public static List<Violation> evaluate(PodObject pod, PlacementPolicy policy, Mode mode) {
        return judging(policy, mode).isEmpty() ? List.of() : evaluate(pod, PlacedPod.of(pod.podNode(), policy), policy, mode);
    }

    /** The violations of the rules judging in {@code mode}, {@code placed} being {@code pod} as the plugins leave it. */
    static List<Violation> evaluate(PodObject pod, PlacedPod placed, PlacementPolicy policy, Mode mode) {
        List<Violation> out = new ArrayList<>(0);
        for (PlacementRule rule : RULES) {
            if (rule.mode(policy) != mode) {
                continue;
            }
            Violation v = rule.check(pod, placed, policy);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * In a denial: the plugins' rules in their own words, exactly (a cluster moving from the plugins
     * keeps its messages), podguard's own after {@code violates placement rules: }; joined by {@code ; }.
     */
    public static String denialMessage(List<Violation> violations) {
        List<String> out = new ArrayList<>(2);
        List<String> own = new ArrayList<>(1);
        for (Violation v : violations) {
            if (PLUGIN_MESSAGES.contains(v.message())) {
                out.add(v.message());
            } else {
                own.add(v.message());
            }
        }
        if (!own.isEmpty()) {
            out.add("violates placement rules: " + String.join(", ", own));
        }
        return String.join("; ", out);
    }

    /** {@code would violate placement rules: …}, for one violation (a warning) or several (the audit annotation). */
    public static String warningMessage(List<Violation> violations) {
        return "would violate placement rules: " + violations.stream().map(Violation::message).collect(Collectors.joining(", "));
    }
}
