package io.podguard.engine.resources;

import io.fabric8.kubernetes.api.model.Quantity;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code resources.max}, LimitRanger's {@code max}: a container must set a limit no higher than
 * the maximum, and must not request more than it either.
 */
public final class ResourceMaxCheck implements ResourceCheck {

    public static final String ID = "resources.max";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public @Nullable Violation check(PodObject pod, ResourceRules rules) {
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ContainerResources c : ContainerResources.of(pod)) {
            for (Map.Entry<String, ResourceRules.Bound> e : rules.max().entrySet()) {
                String r = e.getKey();
                BigDecimal max = e.getValue().amount();
                Quantity limit = c.limit(r);
                BigDecimal limited = ContainerResources.amount(limit);
                if (limit == null) {
                    details.add("container \"" + c.name() + "\" must limit " + r + " (maximum " + e.getValue() + ")");
                    paths.add(c.path() + ".limits." + r);
                } else if (limited != null && limited.compareTo(max) > 0) {
                    details.add("container \"" + c.name() + "\" limits " + r + "=" + limit + ", above " + e.getValue());
                    paths.add(c.path() + ".limits." + r);
                }
                Quantity request = c.request(r);
                BigDecimal requested = ContainerResources.amount(request);
                if (c.setsRequest(r) && requested != null && requested.compareTo(max) > 0) {
                    details.add("container \"" + c.name() + "\" requests " + r + "=" + request + ", above " + e.getValue());
                    paths.add(c.path() + ".requests." + r);
                }
            }
        }
        return ResourceCheck.violation(ID, "resources above maximum", details, paths);
    }
}
