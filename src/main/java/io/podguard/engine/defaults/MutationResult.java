package io.podguard.engine.defaults;

import java.util.List;
import tools.jackson.databind.node.ArrayNode;

/**
 * The outcome of defaulting one pod.
 *
 * @param patch RFC 6902 operations against the object as sent; empty when nothing was set
 * @param applied what was set, in order
 */
public record MutationResult(ArrayNode patch, List<AppliedDefault> applied) {

    public boolean isEmpty() {
        return patch.isEmpty();
    }
}
