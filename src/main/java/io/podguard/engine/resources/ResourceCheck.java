package io.podguard.engine.resources;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One resource rule: its id, and the violation of one pod (null when it passes). */
public interface ResourceCheck {

    String id();

    @Nullable Violation check(PodObject pod, ResourceRules rules);

    /** Findings named in one violation; the rest are counted, so that a pod of many containers gets a message of bounded size. */
    int MAX_FINDINGS = 20;

    /** Builds the one violation of a check from its per-container findings: {@code a; b; …; and 12 more}. */
    static @Nullable Violation violation(String id, String reason, List<String> details, List<String> paths) {
        if (details.isEmpty()) {
            return null;
        }
        String detail = details.size() <= MAX_FINDINGS ? String.join("; ", details)
                : String.join("; ", details.subList(0, MAX_FINDINGS)) + "; and " + (details.size() - MAX_FINDINGS) + " more";
        return new Violation(id, paths.getFirst(), reason, detail);
    }
}
