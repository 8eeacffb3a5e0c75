package io.podguard.engine.rules;

import io.podguard.engine.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

/**
 * A JSON tree as CEL sees it, the way the apiserver hands an unstructured object to CEL: objects
 * are maps with string keys, arrays are lists, integers are {@code int}, other numbers
 * {@code double}, JSON null is {@code null} ({@link CelJson}, which reads the review's bytes the
 * same way).
 */
public final class CelValues {

    private CelValues() {
    }

    /** The CEL value of {@code node}; null for an absent node. */
    public static @Nullable Object of(@Nullable JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return null;
        }
        try (JsonParser p = Json.mapper().treeAsTokens(node)) {
            return CelJson.read(p).value();
        }
    }
}
