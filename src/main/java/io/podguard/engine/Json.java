package io.podguard.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLAnchorReplayingFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The one JSON mapper of podguard (and its one YAML mapper): Jackson 3 with fabric8's modules (quantities,
 * int-or-strings, polymorphic objects) and read limits that hold under hostile input.
 * Thread-safe; built once.
 */
public final class Json {

    /** Deeper documents are refused: a pod is far shallower, and recursion must not overflow. */
    public static final int MAX_NESTING_DEPTH = 200;
    /**
     * Tokens in one YAML file, aliases expanded: the replaying parser bounds each anchor and the
     * number of references, not their product (10,000 references to an anchor of 10,000 values pass
     * its checks and make 10^8 nodes). A policy file (at most 1 MiB) written out holds well under
     * half of this; so does a manifest file of several megabytes.
     */
    public static final long MAX_YAML_TOKENS = 1_000_000;
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
            .nodeFactory(CompactNodes.FACTORY)
            .build();

    /**
     * The one YAML mapper: policies, PodSecurityPolicy files and manifests, with the same nesting limit.
     * Anchors, aliases and merge keys ({@code <<: *base}) are expanded as kubectl's YAML reader expands
     * them (a plain YAML parser hands an alias over as its name), with the replaying parser's own
     * bounds on anchors, references and replayed events: an alias bomb is refused, not expanded.
     */
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLAnchorReplayingFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxTokenCount(MAX_YAML_TOKENS).build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** {@link #YAML} without expanding aliases: the text as written, for a lint of its own keys. */
    private static final YAMLMapper YAML_AS_WRITTEN = YAMLMapper.builder(YAMLFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ModelSerialization SERIALIZATION = new ModelSerialization(MAPPER);
    /** {@link #MAPPER} as fabric8 configures it for its model (Go compatibility, unmatched field types, kinds). */
    private static final ObjectMapper MODEL_MAPPER = SERIALIZATION.configured;
    /**
     * {@link #MODEL_MAPPER} for the pod's typed view ({@link PodExtractor}): the fields no check,
     * rule, defaulter or report reads in typed form ({@link JudgedFields}) are skipped, not bound.
     * What reads them reads the JSON.
     */
    private static final ObjectMapper POD_MAPPER = MODEL_MAPPER.rebuild()
            .addMixIn(Container.class, JudgedFields.ContainerFields.class)
            .addMixIn(EphemeralContainer.class, JudgedFields.ContainerFields.class)
            .addMixIn(PodSpec.class, JudgedFields.PodSpecFields.class)
            .addMixIn(ObjectMeta.class, JudgedFields.ObjectMetaFields.class)
            .build();
    private static final ObjectReader POD_SPEC = POD_MAPPER.readerFor(PodSpec.class);
    private static final ObjectReader OBJECT_META = POD_MAPPER.readerFor(ObjectMeta.class);
    /**
     * {@link #POD_MAPPER} that refuses a number or a boolean where a string belongs, instead of
     * turning it into text: the typed view read from the bytes ({@link PodExtractor}) gives way to
     * the tree's reading for such a pod, which is what decides its name, namespace and messages.
     */
    private static final ObjectMapper STRICT_POD_MAPPER = POD_MAPPER.rebuild()
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
    // Read from a parser in the middle of the pod: what follows the value is the pod's next field.
    private static final ObjectReader STRICT_POD_SPEC = STRICT_POD_MAPPER.readerFor(PodSpec.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader STRICT_OBJECT_META = STRICT_POD_MAPPER.readerFor(ObjectMeta.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** The mapper, configured with fabric8's Kubernetes modules. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** The YAML mapper, for documents people write (policies, PodSecurityPolicies, manifests); trees only. */
    public static YAMLMapper yaml() {
        return YAML;
    }

    /**
     * The YAML mapper that leaves aliases and merge keys as written: a key that overrides one a merge
     * key brought in is then not taken for a key given twice.
     */
    public static YAMLMapper yamlAsWritten() {
        return YAML_AS_WRITTEN;
    }

    public static KubernetesSerialization serialization() {
        return SERIALIZATION;
    }

    /**
     * Converts a JSON tree into a fabric8 model object; unknown fields land in additionalProperties.
     * Walks the tree directly: {@code convertValue} would first copy it into a token buffer.
     */
    public static <T> T convert(JsonNode node, Class<T> type) {
        return MODEL_MAPPER.treeToValue(node, type);
    }

    /** A pod's spec from its JSON tree, with a reader built once, without the fields {@link JudgedFields} skips. */
    public static PodSpec podSpec(JsonNode node) {
        return POD_SPEC.readValue(node);
    }

    /** A pod's metadata from its JSON tree, with a reader built once, without the fields {@link JudgedFields} skips. */
    public static ObjectMeta objectMeta(JsonNode node) {
        return OBJECT_META.readValue(node);
    }

    /** A pod's spec from the parser (at its start), as {@link #podSpec(JsonNode)} but no string from a number or boolean. */
    static PodSpec strictPodSpec(JsonParser p) {
        return STRICT_POD_SPEC.readValue(p);
    }

    /** A pod's metadata from the parser (at its start), as {@link #objectMeta(JsonNode)} but no string from a number or boolean. */
    static ObjectMeta strictObjectMeta(JsonParser p) {
        return STRICT_OBJECT_META.readValue(p);
    }

    /** fabric8's serialization, keeping hold of the mapper it configures (its getter is not public). */
    private static final class ModelSerialization extends KubernetesSerialization {

        private ObjectMapper configured;

        ModelSerialization(ObjectMapper mapper) {
            super(mapper, true);
        }

        @Override
        protected ObjectMapper configureMapper(ObjectMapper mapper) {
            // Called once from the super constructor; no field initialiser may overwrite it afterwards.
            configured = super.configureMapper(mapper);
            return configured;
        }
    }
}
