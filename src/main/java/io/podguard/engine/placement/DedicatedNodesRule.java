package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code placement.dedicatedNodes}: the "dedicated nodes" pattern of Kubernetes' taints
 * documentation. Nodes kept for a group carry a taint ({@code dedicated=ml:NoSchedule}) and a label
 * ({@code dedicated=ml}); a pod that tolerates the taint must also select the label, with a value
 * it tolerates, in its {@code nodeSelector} or in every term of its required node affinity, or it
 * can take room on the dedicated nodes while running anywhere else too. A toleration of every taint
 * (empty key, Exists) is what node agents carry to run everywhere, and is not judged here.
 */
final class DedicatedNodesRule implements PlacementRule {

    @Override
    public String id() {
        return PlacementRules.DEDICATED_NODES;
    }

    @Override
    public @Nullable Mode mode(PlacementPolicy policy) {
        return policy.dedicatedNodes() == null ? null : policy.dedicatedNodes().mode();
    }

    @Override
    public @Nullable Violation check(PodObject pod, PlacedPod placed, PlacementPolicy policy) {
        DedicatedNodes dedicated = policy.dedicatedNodes();
        if (dedicated == null) {
            return null;
        }
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        NodeAffinity affinity = null;
        for (DedicatedNodes.Taint taint : dedicated.taints()) {
            // The values of the taint the pod tolerates; null: any value.
            Set<String> tolerated = new LinkedHashSet<>();
            boolean any = false;
            int first = -1;
            for (int i = 0; i < placed.tolerations().size(); i++) {
                Toleration t = placed.tolerations().get(i);
                if (!t.key().equals(taint.key())) {
                    continue;
                }
                if (Toleration.EXISTS.equals(t.operator())) {
                    any = true;
                } else if (t.operator().isEmpty() || Toleration.EQUAL.equals(t.operator())) {
                    tolerated.add(t.value());
                } else {
                    continue;
                }
                first = first < 0 ? i : first;
            }
            if (first < 0) {
                continue;
            }
            if (affinity == null) {
                affinity = NodeAffinity.of(pod.podNode());
            }
            if (!selects(placed, affinity, taint.label(), any ? null : tolerated)) {
                Toleration t = placed.tolerations().get(first);
                details.add("pod tolerates taint " + t + " but does not select node label " + taint.label()
                        + (any ? "" : "=" + String.join("|", tolerated)));
                paths.add(pod.pathPrefix() + "spec.tolerations[" + first + "]");
            }
        }
        if (details.isEmpty()) {
            return null;
        }
        return new Violation(id(), paths.getFirst(), "dedicated nodes", PlacementRules.findings(details));
    }

    /**
     * Whether the pod only lands on nodes whose {@code label} it selects with one of {@code values}
     * (null: any value): through its node selector, or through an expression on the label in every
     * required affinity term.
     */
    private static boolean selects(PlacedPod placed, NodeAffinity affinity, String label, @Nullable Set<String> values) {
        String selected = placed.nodeSelector().get(label);
        if (selected != null) {
            return values == null || values.contains(selected);
        }
        if (affinity.terms().isEmpty()) {
            return false;
        }
        for (List<NodeAffinity.Expression> term : affinity.terms()) {
            boolean constrained = false;
            for (NodeAffinity.Expression x : term) {
                if (!x.key().equals(label)) {
                    continue;
                }
                if ("In".equals(x.operator()) && !x.values().isEmpty()
                        && (values == null || values.containsAll(x.values()))) {
                    constrained = true;
                } else if ("Exists".equals(x.operator()) && values == null) {
                    constrained = true;
                }
            }
            if (!constrained) {
                return false;
            }
        }
        return true;
    }
}
