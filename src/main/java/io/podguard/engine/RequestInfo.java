package io.podguard.engine;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Who asks, where, and for what: what exemptions and namespace overrides match on, and what a
 * rule kind needs to know of the request beyond the object (PodSecurityPolicy leaves
 * subresources and garbage-collector updates alone).
 *
 * @param namespace the request's namespace (the object's when the request names none)
 * @param username the requesting user; null offline
 * @param groups the requesting user's groups
 * @param update true for an UPDATE, false for a CREATE (or an object judged offline)
 * @param subResource the subresource ({@code ephemeralcontainers} …); empty for the object itself
 * @param oldObject the object before an UPDATE; null otherwise
 * @param dryRun whether the request is a dry run
 * @param namespaceLabels the labels of the namespace when known (rules read them); null: unknown
 */
public record RequestInfo(@Nullable String namespace, @Nullable String username, List<String> groups,
                          boolean update, String subResource, @Nullable JsonNode oldObject, boolean dryRun,
                          @Nullable Map<String, String> namespaceLabels) {

    public RequestInfo {
        groups = List.copyOf(groups);
    }

    /** A CREATE by {@code username} in {@code groups}. */
    public RequestInfo(@Nullable String namespace, @Nullable String username, List<String> groups) {
        this(namespace, username, groups, false, "", null, false, null);
    }

    /** The same request, knowing the labels of its namespace (when {@code labels} is not null). */
    public RequestInfo withNamespaceLabels(@Nullable Map<String, String> labels) {
        return labels == null ? this : new RequestInfo(namespace, username, groups, update, subResource, oldObject, dryRun, labels);
    }

    /** An object judged offline ({@code check}, {@code audit}): created in {@code namespace} by nobody in particular. */
    public static RequestInfo offline(@Nullable String namespace) {
        return new RequestInfo(namespace, null, List.of());
    }
}
