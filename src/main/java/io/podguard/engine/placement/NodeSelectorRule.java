package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import org.jspecify.annotations.Nullable;

/**
 * {@code placement.nodeSelector}, PodNodeSelector's validation with its messages: the pod's
 * {@code nodeSelector} must not conflict with its namespace's (a label both set, to different
 * values), and the merged selector must keep to the namespace's whitelist, when it has one.
 */
final class NodeSelectorRule implements PlacementRule {

    static final String CONFLICT = "pod node label selector conflicts with its namespace node label selector";
    static final String NOT_WHITELISTED = "pod node label selector labels conflict with its namespace whitelist";

    @Override
    public String id() {
        return PlacementRules.NODE_SELECTOR;
    }

    @Override
    public @Nullable Mode mode(PlacementPolicy policy) {
        return policy.nodeSelector() == null ? null : policy.nodeSelector().mode();
    }

    @Override
    public @Nullable Violation check(PodObject pod, PlacedPod placed, PlacementPolicy policy) {
        NodeSelectorPlacement ns = policy.nodeSelector();
        String path = pod.pathPrefix() + "spec.nodeSelector";
        if (ns == null) {
            return null;
        }
        if (ns.error() != null) {
            return new Violation(id(), path, ns.error(), "");
        }
        if (placed.selectorConflict()) {
            return new Violation(id(), path, CONFLICT, "");
        }
        if (!NodeSelectors.isSubset(placed.nodeSelector(), ns.whitelist())) {
            return new Violation(id(), path, NOT_WHITELISTED, "");
        }
        return null;
    }
}
