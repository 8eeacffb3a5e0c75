package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.values.NullValue;
import io.podguard.engine.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * What CEL expressions read of the object ({@link CelReads}): the exact projection of typical
 * expressions, everything where it cannot follow them, and, over the whole CEL corpus (the one
 * the differential test against the apiserver evaluates), the same value, error and cost
 * whether the object is built whole or only what the projection reads. The suite runs with
 * assertions on, so a value read that the projection left out fails here ({@link CelJson.Skipped}).
 */
class CelReadsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "object.spec.containers.all(c, !c.image.endsWith(':latest'))| spec.containers.*.image",
        "has(object.spec.hostAliases) && size(object.spec.hostAliases) > 0| spec.hostAliases",
        "object.spec.containers.all(c, has(c.readinessProbe) && has(c.livenessProbe))| spec.containers.* (shape)",
        "object.metadata.?labels.?env.orValue('') == 'production'| metadata.labels.env",
        "'team' in object.metadata.labels| metadata.labels",
        "object.spec.containers.all(c, c.?resources.?requests.?cpu.hasValue())| spec.containers.*.resources.requests.cpu",
        "object.spec.containers.filter(c, c.name == 'a').map(c, c.image).join(', ') != ''| spec.containers.*.image, spec.containers.*.name",
        "object.spec.containers.exists(c, c == oldObject.spec.containers[0])| spec.containers.*",
        "object == oldObject| (all)",
        "[object.spec].all(s, s.hostNetwork == false)| spec.hostNetwork",
        "(object.spec.containers + object.spec.?initContainers.orValue([])).all(c, c.image != '')"
                + "| spec.containers.*.image, spec.initContainers.*.image",
        "object.metadata.labels.all(k, k.startsWith('a'))| metadata.labels.*",
        "object.spec.containers[0].ports[?0].orValue({}).?containerPort.orValue(0) > 0| spec.containers.*.ports.*.containerPort",
        "object.metadata.annotations['*'] == 'x'| metadata.annotations.*",
        "request.userInfo.username == 'x'| (shape)",
    })
    void projectionWhenExpressionThenWhatItReads(String expression, String reads) {
        assertThat(reads(expression).toString()).isEqualTo(reads);
    }

    @Test
    void projectionWhenVariablesThenTheirPaths() {
        KubernetesCel cel = KubernetesCel.get();
        Map<String, dev.cel.common.types.CelType> declared = new java.util.LinkedHashMap<>();
        CompiledExpression images = cel.compile("object.spec.containers.map(c, c.image)", KubernetesCel.Scope.of(declared),
                KubernetesCel.Result.ANY);
        declared.put("images", KubernetesTypes.variableType(images.type()));
        CompiledExpression unused = cel.compile("object.spec.volumes", KubernetesCel.Scope.of(declared), KubernetesCel.Result.ANY);
        declared.put("unused", KubernetesTypes.variableType(unused.type()));
        CompiledExpression check = cel.compile("variables.images.all(i, !i.endsWith(':latest'))", KubernetesCel.Scope.of(declared),
                KubernetesCel.Result.BOOL);

        CelProjection reads = new CelReads().variable("images", images).variable("unused", unused).expression(check).projection();

        // a variable no expression reads costs nothing: its paths are arrived at, not read
        assertThat(reads.toString()).isEqualTo("spec.containers.*.image, spec.volumes (shape)");
    }

    @Test
    void projectionWhenTooDeepThenEverything() {
        String deep = "object" + ".a".repeat(40) + " == 1";
        assertThat(reads(deep)).isSameAs(CelProjection.ALL);
        assertThat(reads("object" + ".a".repeat(20) + " == 1").toString()).isEqualTo("a".repeat(1).concat(".a".repeat(19)));
    }

    @Test
    void projectionWhenRuleThenUnionOfItsExpressions() {
        CelRule rule = CelRule.compile("r", "object.spec.containers.all(c, c.image != '')", List.of(),
                List.of(new CelRule.Named("prod", "object.metadata.?labels.?env.orValue('') == 'prod'")), null,
                "'bad: ' + object.spec.containers.map(c, c.name).join(', ')");

        assertThat(rule.reads().toString()).isEqualTo("metadata.labels.env, spec.containers.*.image, spec.containers.*.name");
        assertThat(rule.reads().asSent("/spec/template").toString())
                .isEqualTo("spec.template.metadata.labels.env, spec.template.spec.containers.*.image, spec.template.spec.containers.*.name");
        assertThat(rule.reads().asSent("/spec/jobTemplate/spec/template").covers(rule.reads().asSent("/spec/jobTemplate/spec/template")))
                .isTrue();
    }

    @Test
    void projectionWhenUnionThenCoversBoth() {
        CelProjection a = reads("object.spec.containers.all(c, c.image != '')");
        CelProjection b = reads("object.spec.containers.all(c, c.name != '') && object.metadata.name != ''");
        CelProjection u = a.union(b);

        assertThat(u.toString()).isEqualTo("metadata.name, spec.containers.*.image, spec.containers.*.name");
        assertThat(u.covers(a)).isTrue();
        assertThat(u.covers(b)).isTrue();
        assertThat(a.covers(u)).isFalse();
        assertThat(CelProjection.ALL.covers(u)).isTrue();
        assertThat(u.covers(CelProjection.ALL)).isFalse();
        assertThat(u).isEqualTo(b.union(a));
    }

    /**
     * Every expression of the CEL corpus with an object, evaluated on the object built whole and
     * on the object built as its projection says: the same value (or error) and the same cost.
     */
    @Test
    void corpusWhenProjectedThenSameValueErrorAndCost() throws Exception {
        ArrayNode cases = (ArrayNode) Json.mapper().readTree(Files.readString(Path.of("src/test/resources/cel/corpus.json")));
        int compared = 0;
        int projected = 0;
        List<String> differences = new ArrayList<>();
        for (JsonNode c : cases) {
            if (!c.path("object").isObject()) {
                continue;
            }
            CompiledExpression compiled;
            try {
                compiled = KubernetesCel.get().compile(c.get("expression").asString(), KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
            } catch (CelRuleException e) {
                continue;
            }
            CelProjection reads = new CelReads().expression(compiled).projection();
            String whole = evaluate(compiled, c, CelProjection.ALL);
            String part = evaluate(compiled, c, reads);
            compared++;
            if (!reads.all()) {
                projected++;
            }
            if (!whole.equals(part)) {
                differences.add(c.get("expression").asString() + "\n    whole: " + whole + "\n    projected (" + reads + "): " + part);
            }
        }
        assertThat(differences).isEmpty();
        assertThat(compared).isGreaterThan(40);
        assertThat(projected).isGreaterThan(compared / 2);
    }

    @Test
    void skippedWhenReadAfterAllThenMadeFromTheBytes() {
        byte[] bytes = "{\"a\": {\"b\": [1, \"two\", {\"c\": null}]}, \"d\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        CelProjection onlyD = reads("object.d == 'x'");
        CelJson.Read read;
        try (JsonParser p = Json.mapper().createParser(bytes)) {
            read = CelJson.read(p, onlyD, offset -> Json.mapper().createParser(bytes, (int) offset, bytes.length - (int) offset));
        }
        Map<?, ?> object = (Map<?, ?>) read.value();
        assertThat(List.<Object>copyOf(object.keySet())).isEqualTo(List.of("a", "d"));
        assertThat(read.sizes().strings).isEqualTo(3);
        CelJson.LATE_READS_ALLOWED = true;
        try {
            assertThat(object.get("a")).isEqualTo(Map.of("b", List.of(1L, "two", Map.of("c", NullValue.NULL_VALUE))));
        } finally {
            CelJson.LATE_READS_ALLOWED = false;
        }
    }

    @Test
    void valueOffsetWhenEveryKindOfValueThenTheByteOffsetOfItsLocation() {
        // a parser from an offset into the bytes, as ObjectJson.parserAt makes them; strings of one to four UTF-8 bytes a character
        byte[] bytes = ("xx{\"a\": {\"b\": [1, -2.5e3, \"two\", \"é€😀\", {\"c\": null}]}, \"dé\": true, \"e\": false,"
                + " \"f\": [], \"g\": {}, \"h\": 12345678901234567890123}").getBytes(StandardCharsets.UTF_8);
        List<Long> fast = new ArrayList<>();
        List<Long> located = new ArrayList<>();
        try (JsonParser p = Json.mapper().createParser(bytes, 2, bytes.length - 2)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY || t == JsonToken.PROPERTY_NAME) {
                    continue;
                }
                fast.add(CelJson.valueOffset(p));
                located.add(p.currentTokenLocation().getByteOffset());
            }
        }
        assertThat(fast).hasSize(14).isEqualTo(located);
        assertThat(fast.subList(0, 4)).containsExactly(0L, 6L, 12L, 13L);
    }

    private static CelProjection reads(String expression) {
        return new CelReads().expression(KubernetesCel.get().compile(expression, KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY))
                .projection();
    }

    private static String evaluate(CompiledExpression compiled, JsonNode c, CelProjection reads) {
        Map<String, Object> vars = new HashMap<>();
        for (String name : List.of("object", "oldObject")) {
            JsonNode node = c.get(name);
            if (node == null || node.isNull()) {
                vars.put(name, NullValue.NULL_VALUE);
                continue;
            }
            byte[] bytes = Json.mapper().writeValueAsBytes(node);
            try (JsonParser p = Json.mapper().createParser(bytes)) {
                vars.put(name, CelJson.read(p, reads, offset -> Json.mapper().createParser(bytes, (int) offset, bytes.length - (int) offset))
                        .value());
            }
        }
        Object params = CelValues.of(c.get("params"));
        vars.put("params", params == null ? NullValue.NULL_VALUE : params);
        KubernetesCel.Outcome outcome = KubernetesCel.get().evaluate(compiled, KubernetesCel.resolver(vars), KubernetesCel.PER_CALL_LIMIT);
        return outcome.failed() ? "error " + outcome.error() + " cost " + outcome.cost()
                : "value " + canonical(outcome.value()) + " cost " + outcome.cost();
    }

    private static String canonical(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, String> out = new TreeMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), canonical(x)));
            return out.toString();
        }
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            l.forEach(x -> out.add(canonical(x)));
            return out.toString();
        }
        if (v instanceof Optional<?> o) {
            return o.map(x -> "optional(" + canonical(x) + ")").orElse("optional.none");
        }
        return v == null ? "null" : v.getClass().getSimpleName() + ":" + v;
    }
}
