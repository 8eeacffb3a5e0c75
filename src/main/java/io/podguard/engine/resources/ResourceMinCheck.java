package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.util.SortedMap;

/** {@code resources.min}, LimitRange type {@code Container}'s {@code min}: each container requests at least the minimum (so it must request), and a limit it sets is not below it. */
public final class ResourceMinCheck extends BoundCheck {

    public static final String ID = "resources.min";

    public ResourceMinCheck() {
        super(ID, "resources below minimum", Scope.CONTAINER, LimitConstraints::min);
    }

    @Override
    SortedMap<String, KubeQuantity> bounds(ResourceRules rules) {
        return rules.container().min();
    }
}
