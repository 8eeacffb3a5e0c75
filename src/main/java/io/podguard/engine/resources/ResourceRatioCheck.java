package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.util.SortedMap;

/** {@code resources.maxLimitRequestRatio}, LimitRange type {@code Container}'s rule of the same name: each container sets a request and a limit, neither 0, and the limit is at most the ratio times the request. */
public final class ResourceRatioCheck extends BoundCheck {

    public static final String ID = "resources.maxLimitRequestRatio";

    public ResourceRatioCheck() {
        super(ID, "limit/request ratio", Scope.CONTAINER, LimitConstraints::ratio);
    }

    @Override
    SortedMap<String, KubeQuantity> bounds(ResourceRules rules) {
        return rules.container().maxLimitRequestRatio();
    }
}
