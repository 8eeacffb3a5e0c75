package io.podguard.engine;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** How a rule kind words the violations it found in one mode: the denial, the warnings, the audit annotation. */
public interface Wording {

    /** The audit annotation most kinds record their audit-mode findings under. */
    String AUDIT_VIOLATIONS = "audit-violations";

    /**
     * One sentence for {@code violations}: {@code violates PodSecurity "restricted:latest": …} when
     * the request is denied, {@code would violate …} when it is not (audit, warn, a workload).
     */
    String message(List<Violation> violations, boolean denied);

    /** The warnings for {@code violations}: one per violation unless the kind words them otherwise. */
    default List<String> warnings(List<Violation> violations) {
        List<String> out = new ArrayList<>(violations.size());
        for (Violation v : violations) {
            out.add(message(List.of(v), false));
        }
        return out;
    }

    /**
     * The audit annotation audit-mode findings go to (without {@code /}: the apiserver prefixes the
     * webhook's name); null when the kind records them itself ({@link Findings#annotate}), in a
     * form of its own.
     */
    default @Nullable String auditAnnotation() {
        return AUDIT_VIOLATIONS;
    }

    /**
     * The HTTP status of a denial for {@code violations} (403 Forbidden for most kinds; a
     * ValidatingAdmissionPolicy's validation says its own, as in the apiserver).
     */
    default int denialCode(List<Violation> violations) {
        return 403;
    }
}
