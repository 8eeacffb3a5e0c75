package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.util.SortedMap;

/** {@code resources.pod.max}, LimitRange type {@code Pod}'s {@code max}: the pod's effective limits (which must be set) and requests are at most the maximum. */
public final class PodResourceMaxCheck extends BoundCheck {

    public static final String ID = "resources.pod.max";

    public PodResourceMaxCheck() {
        super(ID, "pod resources above maximum", Scope.POD, LimitConstraints::max);
    }

    @Override
    SortedMap<String, KubeQuantity> bounds(ResourceRules rules) {
        return rules.pod().max();
    }
}
