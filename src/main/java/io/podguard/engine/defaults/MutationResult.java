package io.podguard.engine.defaults;

import io.podguard.engine.Json;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;

/**
 * The outcome of defaulting one pod.
 *
 * @param patch RFC 6902 operations against the object as sent; empty when nothing was set
 * @param applied what was set, in order
 */
public record MutationResult(ArrayNode patch, List<AppliedDefault> applied) {

    /** Nothing set. */
    public static MutationResult none() {
        return new MutationResult(Json.mapper().createArrayNode(), List.of());
    }

    public boolean isEmpty() {
        return patch.isEmpty();
    }
}
