package io.podguard.admission;

import io.podguard.engine.ObjectJson;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an AdmissionReview request podguard uses, read once from the JSON tree.
 *
 * @param apiVersion {@code admission.k8s.io/v1} or {@code admission.k8s.io/v1beta1}, echoed in the response
 * @param kind the object's kind ({@code Pod}); {@code group}/{@code version} beside it
 * @param subResource e.g. {@code ephemeralcontainers}; empty for the main resource
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 * @param userInfo the requesting user's {@code username}, {@code groups}, … (may be empty)
 * @param sentObject {@code object} as sent: its bytes, its tree built only when something reads it ({@link #object()})
 */
public record AdmissionRequest(
        String apiVersion,
        String uid,
        String group,
        String version,
        String kind,
        String resource,
        String subResource,
        String operation,
        @Nullable String namespace,
        @Nullable String name,
        boolean dryRun,
        @Nullable String username,
        java.util.List<String> groups,
        @Nullable ObjectJson sentObject,
        @Nullable JsonNode oldObject) {

    /** {@code object} as a tree, built on first use; null when the review has none. */
    public @Nullable JsonNode object() {
        return sentObject == null ? null : sentObject.tree();
    }

    public boolean isCreate() {
        return "CREATE".equals(operation);
    }

    public boolean isUpdate() {
        return "UPDATE".equals(operation);
    }

    /** {@code system:serviceaccount:NS:NAME} users are service accounts. */
    public @Nullable String serviceAccount() {
        if (username != null && username.startsWith("system:serviceaccount:")) {
            return username.substring("system:serviceaccount:".length());
        }
        return null;
    }
}
