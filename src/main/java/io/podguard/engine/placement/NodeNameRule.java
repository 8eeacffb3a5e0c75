package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import org.jspecify.annotations.Nullable;

/**
 * {@code placement.nodeName}: a pod must not set {@code spec.nodeName}. A pod that names its node
 * is never scheduled: it skips the scheduler, node affinity, every taint and the node's capacity
 * checks. The scheduler binds pods through the {@code binding} subresource, which is not judged;
 * kubelets (group {@code system:nodes}) creating their static pods' mirror pods are never judged
 * by this rule; anyone else who must set it is exempted by an exemption naming this rule.
 *
 * <p>A pod that has already been placed (its status has conditions or a start time, as pods read
 * back from a cluster have) is not judged: an audit of running pods sees the node they were
 * bound to, not one they asked for. It cannot be used to pass a new pod off as placed: on create,
 * the apiserver resets a pod's status before the validating webhooks see it.
 */
final class NodeNameRule implements PlacementRule {

    @Override
    public String id() {
        return PlacementRules.NODE_NAME;
    }

    @Override
    public @Nullable Mode mode(PlacementPolicy policy) {
        return policy.nodeName();
    }

    @Override
    public @Nullable Violation check(PodObject pod, PlacedPod placed, PlacementPolicy policy) {
        String nodeName = pod.podNode().path("spec").path("nodeName").asString("");
        if (nodeName.isEmpty() || placed(pod.podNode().path("status"))) {
            return null;
        }
        return new Violation(id(), pod.pathPrefix() + "spec.nodeName", "nodeName",
                "pod must not set spec.nodeName=\"" + nodeName + "\": it bypasses the scheduler and every node taint");
    }

    private static boolean placed(tools.jackson.databind.JsonNode status) {
        return !status.path("conditions").isEmpty() || status.path("startTime").isString();
    }
}
