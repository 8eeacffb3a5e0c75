package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** docs/policy.schema.json, docs/policy.md and the Java model say the same thing. */
class PolicySchemaTest {

    private static final Path SCHEMA_FILE = Path.of("docs/policy.schema.json");
    private static final Path REFERENCE = Path.of("docs/policy.md");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonNode SCHEMA_TREE;
    private static final Schema SCHEMA;

    static {
        try {
            SCHEMA_TREE = YAML.readTree(Files.readString(SCHEMA_FILE));
            SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(Files.readString(SCHEMA_FILE), com.networknt.schema.InputFormat.JSON);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> schemaErrors(String yaml) {
        return SCHEMA.validate(YAML.readTree(yaml)).stream().map(Error::toString).toList();
    }

    static Stream<String> referenceExamples() throws IOException {
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(REFERENCE));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
        return blocks.stream();
    }

    @ParameterizedTest
    @MethodSource("referenceExamples")
    void referenceExampleIsValidForSchemaAndLoader(String yaml) {
        assertThat(schemaErrors(yaml)).isEmpty();
        PolicyLoader.parse(yaml);
    }

    @Test
    void embeddedDefaultIsValidForSchema() throws IOException {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PolicyLoader.EMBEDDED_DEFAULT)) {
            assertThat(schemaErrors(new String(in.readAllBytes(), StandardCharsets.UTF_8))).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "podSecurty: {}",
        "podSecurity: {level: strict}",
        "podSecurity: {version: v2}",
        "mode: enforcing",
        "kind: PodSecurityPolicy",
        "defaults: {mode: maybe}",
        "resources: {max: {memory: 12XB}}",
        "resources: {max: {gpu: 1}}",
        "exemptions: [{namespaces: [a]}]",
        "exemptions: [{reason: r}]",
        "exemptions: [{reason: r, namespaces: [a], expires: soon}]",
        "exemptions: [{reason: r, serviceAccounts: [default]}]",
        "namespaces: [{mode: warn}]",
        "namespaces: [{selector: {matchExpressions: [{key: a, operator: Equals}]}}]",
        "namespaceLabelOverrides: yes please"
    })
    void invalidPolicyIsRefusedBySchemaAndLoader(String yaml) {
        assertThat(schemaErrors(yaml)).isNotEmpty();
        assertThatThrownBy(() -> PolicyLoader.parse(yaml)).isInstanceOf(PolicyException.class);
    }

    @Test
    void schemaAndModelHaveTheSameKeysInEverySection() {
        List<String> mismatches = new ArrayList<>();
        compare(Policy.class, SCHEMA_TREE, "", mismatches);
        assertThat(mismatches).isEmpty();
    }

    /** Walks the record and the schema side by side; every section's keys must agree. */
    private void compare(Class<?> record, JsonNode schema, String path, List<String> mismatches) {
        JsonNode section = resolve(schema);
        Set<String> schemaKeys = new TreeSet<>();
        section.path("properties").propertyNames().forEach(schemaKeys::add);
        Set<String> modelKeys = new TreeSet<>(PolicyValidator.keys(record));
        if (!schemaKeys.equals(modelKeys)) {
            mismatches.add((path.isEmpty() ? "policy" : path) + ": schema " + schemaKeys + ", model " + modelKeys);
        }
        assertThat(section.path("additionalProperties").asBoolean(true)).as(path + " additionalProperties").isFalse();
        List<String> jsonNames = PolicyValidator.keys(record);
        RecordComponent[] components = record.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String name = jsonNames.get(i);
            JsonNode property = section.path("properties").path(name);
            Class<?> type = c.getType();
            Type generic = c.getGenericType();
            if (List.class.isAssignableFrom(type) && generic instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
                compare(element, resolve(property).path("items"), path + name + "[].", mismatches);
            } else if (type.isRecord()) {
                compare(type, property, path + name + ".", mismatches);
            } else if (type == LabelSelector.class) {
                Set<String> keys = new TreeSet<>();
                resolve(property).path("properties").propertyNames().forEach(keys::add);
                if (!keys.equals(Set.of("matchExpressions", "matchLabels"))) {
                    mismatches.add(path + name + ": schema " + keys);
                }
            }
        }
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        String pointer = ref.asString().substring(1);
        return resolve(SCHEMA_TREE.at(pointer));
    }
}
