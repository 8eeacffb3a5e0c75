package io.podguard.engine.resources;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code resources.required}: every container sets the listed requests and limits.
 * A limit alone satisfies a required request (the apiserver copies it into the request).
 */
public final class ResourcesRequiredCheck implements ResourceCheck {

    public static final String ID = "resources.required";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public @Nullable Violation check(PodObject pod, ResourceRules rules) {
        if (rules.requiredRequests().isEmpty() && rules.requiredLimits().isEmpty()) {
            return null;
        }
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ContainerResources c : ContainerResources.of(pod)) {
            List<String> missing = new ArrayList<>();
            for (String r : rules.requiredRequests()) {
                if (c.request(r) == null) {
                    missing.add("requests." + r);
                    paths.add(c.path() + ".requests." + r);
                }
            }
            for (String r : rules.requiredLimits()) {
                if (c.limit(r) == null) {
                    missing.add("limits." + r);
                    paths.add(c.path() + ".limits." + r);
                }
            }
            if (!missing.isEmpty()) {
                details.add("container \"" + c.name() + "\" must set " + String.join(", ", missing));
            }
        }
        return ResourceCheck.violation(ID, "resources required", details, paths);
    }
}
