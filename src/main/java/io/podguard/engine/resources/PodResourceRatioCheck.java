package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.util.SortedMap;

/** {@code resources.pod.maxLimitRequestRatio}, LimitRange type {@code Pod}'s rule of the same name, over the pod's effective requests and limits. */
public final class PodResourceRatioCheck extends BoundCheck {

    public static final String ID = "resources.pod.maxLimitRequestRatio";

    public PodResourceRatioCheck() {
        super(ID, "pod limit/request ratio", Scope.POD, LimitConstraints::ratio);
    }

    @Override
    SortedMap<String, KubeQuantity> bounds(ResourceRules rules) {
        return rules.pod().maxLimitRequestRatio();
    }
}
