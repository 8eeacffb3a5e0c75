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
 * {@code resources.min}, LimitRanger's {@code min}: a container must request at least the
 * minimum (so it must request), and a limit, if set, must not be below it either.
 */
public final class ResourceMinCheck implements ResourceCheck {

    public static final String ID = "resources.min";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public @Nullable Violation check(PodObject pod, ResourceRules rules) {
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ContainerResources c : ContainerResources.of(pod)) {
            for (Map.Entry<String, ResourceRules.Bound> e : rules.min().entrySet()) {
                String r = e.getKey();
                BigDecimal min = e.getValue().amount();
                Quantity request = c.request(r);
                BigDecimal requested = ContainerResources.amount(request);
                if (request == null) {
                    details.add("container \"" + c.name() + "\" must request " + r + " (minimum " + e.getValue() + ")");
                    paths.add(c.path() + ".requests." + r);
                } else if (requested != null && requested.compareTo(min) < 0) {
                    String field = c.setsRequest(r) ? "requests" : "limits";
                    details.add("container \"" + c.name() + "\" " + field + " " + r + "=" + request + ", below " + e.getValue());
                    paths.add(c.path() + "." + field + "." + r);
                }
                Quantity limit = c.limit(r);
                BigDecimal limited = ContainerResources.amount(limit);
                if (c.setsRequest(r) && limited != null && limited.compareTo(min) < 0) {
                    details.add("container \"" + c.name() + "\" limits " + r + "=" + limit + ", below " + e.getValue());
                    paths.add(c.path() + ".limits." + r);
                }
            }
        }
        return ResourceCheck.violation(ID, "resources below minimum", details, paths);
    }
}
