package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.util.SortedMap;

/** {@code resources.max}, LimitRange type {@code Container}'s {@code max}: each container sets a limit no higher than the maximum, and requests no more than it. */
public final class ResourceMaxCheck extends BoundCheck {

    public static final String ID = "resources.max";

    public ResourceMaxCheck() {
        super(ID, "resources above maximum", Scope.CONTAINER, LimitConstraints::max);
    }

    @Override
    SortedMap<String, KubeQuantity> bounds(ResourceRules rules) {
        return rules.container().max();
    }
}
