package io.podguard.engine.resources;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One resource rule: its id, and the violation of one pod (null when it passes). */
public interface ResourceCheck {

    String id();

    @Nullable Violation check(PodObject pod, ResourceRules rules);

    /** Builds the one violation of a check from its per-container findings, PSA-style. */
    static @Nullable Violation violation(String id, String reason, List<String> details, List<String> paths) {
        if (details.isEmpty()) {
            return null;
        }
        return new Violation(id, paths.getFirst(), reason, String.join("; ", details));
    }
}
