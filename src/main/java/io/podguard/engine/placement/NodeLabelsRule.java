package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code placement.nodeLabels}: which node labels the pods of a namespace may select. For each
 * restricted label key, a pod's {@code nodeSelector} (merged with its namespace's) may only ask
 * for an allowed value; in required node affinity, {@code In} may only list allowed values, and
 * {@code NotIn}, {@code Exists}, {@code Gt}, {@code Lt} (which reach nodes of any value) are refused
 * unless every value is allowed ({@code "*"}). {@code DoesNotExist} keeps a pod off such nodes and
 * is always allowed; preferred affinity binds nothing and is not judged.
 */
final class NodeLabelsRule implements PlacementRule {

    @Override
    public String id() {
        return PlacementRules.NODE_LABELS;
    }

    @Override
    public @Nullable Mode mode(PlacementPolicy policy) {
        return policy.nodeLabels() == null ? null : policy.nodeLabels().mode();
    }

    @Override
    public @Nullable Violation check(PodObject pod, PlacedPod placed, PlacementPolicy policy) {
        NodeLabelRestriction restriction = policy.nodeLabels();
        if (restriction == null) {
            return null;
        }
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (Map.Entry<String, String> e : placed.nodeSelector().entrySet()) {
            NodeLabelRestriction.Entry entry = restriction.entryFor(e.getKey());
            if (entry != null && !entry.values().test(e.getValue())) {
                details.add("spec.nodeSelector selects " + e.getKey() + "=" + e.getValue() + ", " + allowed(e.getKey(), entry));
                paths.add(pod.pathPrefix() + "spec.nodeSelector." + e.getKey());
            }
        }
        for (List<NodeAffinity.Expression> term : NodeAffinity.of(pod.podNode()).terms()) {
            for (NodeAffinity.Expression x : term) {
                NodeLabelRestriction.Entry entry = restriction.entryFor(x.key());
                if (entry == null || entry.anyValue() || "DoesNotExist".equals(x.operator())) {
                    continue;
                }
                boolean ok = "In".equals(x.operator()) && x.values().stream().allMatch(entry.values());
                if (!ok) {
                    details.add("required node affinity selects " + x.describe() + ", " + allowed(x.key(), entry));
                    paths.add(pod.pathPrefix() + x.path());
                }
            }
        }
        if (details.isEmpty()) {
            return null;
        }
        return new Violation(id(), paths.getFirst(), "node labels", PlacementRules.findings(details));
    }

    private static String allowed(String key, NodeLabelRestriction.Entry entry) {
        return entry.allowed().isEmpty()
                ? "pods here may not select " + key
                : "pods here may select " + key + " only as " + String.join(", ", entry.allowed());
    }
}
