package io.podguard.engine;

import java.util.Map;
import tools.jackson.databind.node.ArrayNode;

/**
 * What a rule kind sets on a pod before it is judged.
 *
 * @param patch RFC 6902 operations against the object it was given; empty for none
 * @param annotations audit annotations for the mutating webhook's answer (keys without {@code /})
 */
public record Mutation(ArrayNode patch, Map<String, String> annotations) {

    public static final Mutation NONE = new Mutation(Json.mapper().createArrayNode(), Map.of());

    public Mutation {
        annotations = Map.copyOf(annotations);
    }
}
