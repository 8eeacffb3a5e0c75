package io.podguard.engine.defaults;

import io.podguard.engine.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The outcome of defaulting one pod.
 *
 * @param patch RFC 6902 operations against the object as sent; empty when nothing was set
 * @param applied what was set, in order
 * @param wouldApply what the defaulters in a dry run would have set, in order (not in the patch)
 * @param object the whole object with the patch applied (sharing what it did not change with the
 *               object as sent: read it, never write it); null when nothing was set
 */
public record MutationResult(ArrayNode patch, List<AppliedDefault> applied, List<AppliedDefault> wouldApply,
                             @Nullable ObjectNode object) {

    public MutationResult {
        applied = List.copyOf(applied);
        wouldApply = List.copyOf(wouldApply);
    }

    public MutationResult(ArrayNode patch, List<AppliedDefault> applied, List<AppliedDefault> wouldApply) {
        this(patch, applied, wouldApply, null);
    }

    public MutationResult(ArrayNode patch, List<AppliedDefault> applied) {
        this(patch, applied, List.of());
    }

    /** Nothing set. */
    public static MutationResult none() {
        return new MutationResult(Json.mapper().createArrayNode(), List.of());
    }

    public boolean isEmpty() {
        return patch.isEmpty();
    }
}
