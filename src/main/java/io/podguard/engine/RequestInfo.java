package io.podguard.engine;

import java.util.List;
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
 */
public record RequestInfo(@Nullable String namespace, @Nullable String username, List<String> groups,
                          boolean update, String subResource, @Nullable JsonNode oldObject) {

    public RequestInfo {
        groups = List.copyOf(groups);
    }

    /** A CREATE by {@code username} in {@code groups}. */
    public RequestInfo(@Nullable String namespace, @Nullable String username, List<String> groups) {
        this(namespace, username, groups, false, "", null);
    }

    /** An object judged offline ({@code check}, {@code audit}): created in {@code namespace} by nobody in particular. */
    public static RequestInfo offline(@Nullable String namespace) {
        return new RequestInfo(namespace, null, List.of());
    }
}
