package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.util.SortedMap;

/** {@code resources.pod.min}, LimitRange type {@code Pod}'s {@code min}: the pod's effective requests (and limits, where set) are at least the minimum. */
public final class PodResourceMinCheck extends BoundCheck {

    public static final String ID = "resources.pod.min";

    public PodResourceMinCheck() {
        super(ID, "pod resources below minimum", Scope.POD, LimitConstraints::min);
    }

    @Override
    SortedMap<String, KubeQuantity> bounds(ResourceRules rules) {
        return rules.pod().min();
    }
}
