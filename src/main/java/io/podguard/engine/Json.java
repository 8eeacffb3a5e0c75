package io.podguard.engine;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of podguard: Jackson 3 with fabric8's modules (quantities,
 * int-or-strings, polymorphic objects) and read limits that hold under hostile input.
 * Thread-safe; built once.
 */
public final class Json {

    /** Deeper documents are refused: a pod is far shallower, and recursion must not overflow. */
    public static final int MAX_NESTING_DEPTH = 200;
    /** A single string longer than the apiserver's whole object limit is refused. */
    public static final int MAX_STRING_LENGTH = 3 * 1024 * 1024;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxNumberLength(100)
                            .build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(MAPPER, true);

    private Json() {
    }

    /** The mapper, configured with fabric8's Kubernetes modules. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static KubernetesSerialization serialization() {
        return SERIALIZATION;
    }

    /** Converts a JSON tree into a fabric8 model object; unknown fields land in additionalProperties. */
    public static <T> T convert(JsonNode node, Class<T> type) {
        return SERIALIZATION.convertValue(node, type);
    }
}
