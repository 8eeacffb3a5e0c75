package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import org.jspecify.annotations.Nullable;

/**
 * {@code placement.tolerations}, PodTolerationRestriction's validation with its message: every
 * toleration of the pod, merged with the namespace's defaults, must be covered by the namespace's
 * whitelist (or, when the namespace has none, the cluster's), when there is one.
 */
final class TolerationsRule implements PlacementRule {

    static final String NOT_WHITELISTED = "pod tolerations (possibly merged with namespace default tolerations) conflict with its %s whitelist";

    @Override
    public String id() {
        return PlacementRules.TOLERATIONS;
    }

    @Override
    public @Nullable Mode mode(PlacementPolicy policy) {
        return policy.tolerations() == null ? null : policy.tolerations().mode();
    }

    @Override
    public @Nullable Violation check(PodObject pod, PlacedPod placed, PlacementPolicy policy) {
        TolerationPlacement tp = policy.tolerations();
        String path = pod.pathPrefix() + "spec.tolerations";
        if (tp == null) {
            return null;
        }
        if (tp.defaultsError() != null) {
            return new Violation(id(), path, tp.defaultsError(), "");
        }
        if (placed.tooManyTolerations()) {
            return new Violation(id(), path, "too many tolerations",
                    "pod has " + placed.tolerations().size() + " tolerations; podguard judges at most " + Tolerations.MAX);
        }
        if (placed.tolerations().isEmpty()) {
            return null; // as the plugin: no toleration, nothing to check (not even a broken whitelist)
        }
        if (tp.whitelistError() != null) {
            return new Violation(id(), path, tp.whitelistError(), "");
        }
        int first = tp.whitelist().isEmpty() ? -1 : Tolerations.firstNotCovered(placed.tolerations(), tp.whitelist());
        if (first < 0) {
            return null;
        }
        return new Violation(id(), path + "[" + first + "]", String.format(NOT_WHITELISTED, tp.whitelistScope()), "");
    }
}
