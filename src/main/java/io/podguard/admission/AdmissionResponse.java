package io.podguard.admission;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The answer to one review.
 *
 * @param patch the JSON Patch bytes, or null for none
 * @param warnings shown by kubectl
 * @param auditAnnotations keys without {@code /}; the apiserver prefixes the webhook's name
 * @param mode what decided, for metrics: enforce, audit, warn (validate), apply, audit (mutate) or none
 */
public record AdmissionResponse(
        String uid,
        boolean allowed,
        int code,
        @Nullable String message,
        byte @Nullable [] patch,
        List<String> warnings,
        Map<String, String> auditAnnotations,
        String mode) {

    /** Metric label when no policy mode was involved. */
    public static final String NO_MODE = "none";

    public static AdmissionResponse allow(String uid) {
        return new AdmissionResponse(uid, true, 200, null, null, List.of(), Map.of(), NO_MODE);
    }
}
