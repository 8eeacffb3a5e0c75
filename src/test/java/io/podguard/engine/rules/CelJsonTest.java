package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.values.NullValue;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.testing.TextEdit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What CEL reads of a pod, built in one pass from the review's bytes ({@link CelJson}), must be
 * exactly the tree as the apiserver hands an unstructured object to CEL (the reference below,
 * from {@link Json#mapper()}'s tree): the same maps, lists, strings, {@code int}s and
 * {@code double}s, {@code null} present and absent alike, the last of duplicate keys, and the
 * same sizes for {@link CostBound} as a walk of that tree.
 */
class CelJsonTest {

    private static final String POD = io.podguard.testing.Reviews.benchmarkPod();

    static Stream<String> documents() {
        return Stream.of(
                POD,
                "{}",
                "[]",
                "{\"a\":null,\"b\":[null,{}],\"c\":{\"d\":[]}}",
                "{\"n\":9223372036854775807,\"m\":-9223372036854775808,\"o\":9223372036854775808,\"p\":-9223372036854775809}",
                "{\"big\":" + "9".repeat(60) + ",\"neg\":-" + "9".repeat(60) + "}",
                "{\"d\":1.0,\"e\":1e3,\"f\":-0,\"g\":-0.0,\"h\":1E-7,\"i\":0.1,\"j\":1e308,\"k\":2.5e-324}",
                "{\"t\":true,\"f\":false,\"s\":\"\",\"u\":\"\\u00e9\\uD83D\\uDE00 \\\"q\\\" \\n\"}",
                "{\"a\":1,\"a\":\"two\"}",
                "{\"a\":{\"x\":\"long string that is long\"},\"b\":2,\"a\":3}",
                "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,\"k11\":11,\"k12\":12,"
                        + "\"k13\":13,\"k3\":\"again\",\"k14\":[1,2,3]}",
                "{\"metadata\":{\"labels\":{\"a\":1,\"b\":true,\"c\":null,\"\":\"empty key\"}}}",
                "[[[[[[[[[[1]]]]]]]]]]",
                "\"just a string\"",
                "42");
    }

    @ParameterizedTest
    @MethodSource("documents")
    void readWhenDocumentThenAsTheTree(String json) {
        assertAsTree(json);
    }

    @Property(tries = 300)
    void readWhenPodEditedThenAsTheTree(@ForAll("edits") TextEdit edit) {
        String json = edit.apply(POD);
        if (wellFormed(json)) {
            assertAsTree(json);
        }
    }

    @Test
    void readWhenDuplicateKeyThenLastWinsInPlaceAndSizesOfWhatIsKept() {
        CelJson.Read read = read("{\"a\":\"" + "x".repeat(500) + "\",\"b\":1,\"a\":2}");

        assertThat(read.value()).isEqualTo(Map.of("a", 2L, "b", 1L));
        assertThat(List.<Object>copyOf(((Map<?, ?>) read.value()).keySet())).isEqualTo(List.of("a", "b"));
        // the 500-character string was replaced: it counts for nothing
        assertThat(read.sizes().strings).isEqualTo(3);
    }

    @Test
    void readWhenHugeObjectWithDuplicatesThenLinearAndLookupsHashed() {
        // a hostile object: 200,000 keys, every one twice; neither reading nor a lookup may be quadratic
        StringBuilder b = new StringBuilder("{");
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 100_000; i++) {
                b.append(b.length() > 1 ? "," : "").append("\"key-").append(i).append("\":").append(round);
            }
        }
        CelJson.Read read = read(b.append('}').toString());

        Map<?, ?> map = (Map<?, ?>) read.value();
        assertThat(map).hasSize(100_000);
        assertThat(map.get("key-99999")).isEqualTo(1L);
        assertThat(map.get("key-100000")).isNull();
        assertThat(map.containsKey("key-0")).isTrue();
        assertThat(read.sizes().lists).isEqualTo(100_000);
    }

    @Test
    void readWhenNestedToTheLimitThenNoRecursion() {
        String deep = "[".repeat(Json.MAX_NESTING_DEPTH) + "]".repeat(Json.MAX_NESTING_DEPTH);
        Object v = read(deep).value();
        int depth = 0;
        while (v instanceof List<?> l && !l.isEmpty()) {
            v = l.getFirst();
            depth++;
        }
        assertThat(depth).isEqualTo(Json.MAX_NESTING_DEPTH - 1);
    }

    @Test
    void readWhenPodSentAsBytesThenReadOnceAndTreeNeverBuilt() {
        // spaced as no tree writes it: the object's text is its bytes as long as no tree was built
        String spaced = POD.replace("\":", "\": ");
        byte[] body = spaced.getBytes(StandardCharsets.UTF_8);
        io.podguard.engine.ObjectJson sent = io.podguard.engine.ObjectJson.ofObjectBytes(body, 0, body.length);
        PodObject pod = PodExtractor.extract("Pod", sent).orElseThrow();
        RuleInput input = RuleInput.offline(pod);

        assertThat(RuleInput.read(pod, CelProjection.ALL)).isSameAs(RuleInput.read(pod, CelProjection.ALL));
        CostBound.Size sizes = input.sizes();
        Object object = RuleInput.asPod(pod, CelProjection.ALL);
        input.variablesAsSent();

        assertThat(sent.toString()).isEqualTo(spaced);
        assertThat(sizes).isEqualTo(RuleInput.offline(PodExtractor.extract("Pod", Json.mapper().readTree(POD)).orElseThrow()).sizes());
        assertThat(object).isEqualTo(reference(Json.mapper().readTree(POD)));
    }

    @Test
    void asPodWhenDeploymentThenTemplateDressedAsPodWithTheNamespace() {
        JsonNode deployment = Json.mapper().readTree("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"shop"},
                 "spec":{"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");
        PodObject pod = PodExtractor.extract("Deployment", deployment).orElseThrow();

        assertThat(RuleInput.asPod(pod, CelProjection.ALL)).isEqualTo(reference(Json.mapper().readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"a"},"namespace":"shop"},
                 "spec":{"containers":[{"name":"c","image":"i"}]}}""")));
    }

    private static void assertAsTree(String json) {
        JsonNode tree = Json.mapper().readTree(json);
        CelJson.Read fromBytes = read(json);
        Object expected = reference(tree);
        assertSameValue(fromBytes.value(), expected);
        // the tree traversed (a pod without bytes: check, audit, a pod without exempted containers) reads alike
        assertSameValue(CelValues.of(tree), expected);
        Measure m = new Measure();
        m.walk(tree);
        assertThat(List.of(fromBytes.sizes().lists, fromBytes.sizes().strings, fromBytes.sizes().traversal))
                .isEqualTo(List.of(m.lists, m.strings, m.traversal));
    }

    private static CelJson.Read read(String json) {
        try (JsonParser p = Json.mapper().createParser(json.getBytes(StandardCharsets.UTF_8))) {
            return CelJson.read(p);
        }
    }

    /** Equal, and of the same Java class at every level: an int is never a double, nor null absent. */
    private static void assertSameValue(Object actual, Object expected) {
        if (expected instanceof Map<?, ?> e) {
            assertThat(actual).isInstanceOf(Map.class);
            Map<?, ?> a = (Map<?, ?>) actual;
            assertThat(a.keySet()).isEqualTo(e.keySet());
            for (Map.Entry<?, ?> entry : e.entrySet()) {
                assertThat(a.containsKey(entry.getKey())).isTrue();
                assertSameValue(a.get(entry.getKey()), entry.getValue());
            }
        } else if (expected instanceof List<?> e) {
            assertThat(actual).isInstanceOf(List.class);
            List<?> a = (List<?>) actual;
            assertThat(a).hasSize(e.size());
            for (int i = 0; i < e.size(); i++) {
                assertSameValue(a.get(i), e.get(i));
            }
        } else {
            assertThat(actual).isEqualTo(expected);
            assertThat(actual.getClass()).isEqualTo(expected.getClass());
        }
    }

    /** The tree as the apiserver hands unstructured JSON to CEL. */
    private static Object reference(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Map<String, Object> out = new LinkedHashMap<>();
            o.properties().forEach(e -> out.put(e.getKey(), reference(e.getValue())));
            return out;
        }
        if (node instanceof ArrayNode a) {
            List<Object> out = new ArrayList<>();
            a.forEach(e -> out.add(reference(e)));
            return out;
        }
        if (node.isString()) {
            return node.asString();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isNull()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.asLong() : (Object) node.asDouble();
        }
        return node.asDouble();
    }

    /** The sizes a walk of the tree gives (the walk a review did before the sizes were recorded while reading). */
    private static final class Measure {
        long lists;
        long strings;
        long traversal;

        void walk(JsonNode node) {
            if (node instanceof ObjectNode o) {
                lists = Math.max(lists, o.size());
                for (Map.Entry<String, JsonNode> e : o.properties()) {
                    text(e.getKey());
                    walk(e.getValue());
                }
            } else if (node instanceof ArrayNode a) {
                lists = Math.max(lists, a.size());
                a.forEach(this::walk);
            } else if (node.isString()) {
                text(node.asString());
            } else {
                traversal += 1;
            }
        }

        void text(String s) {
            long bytes = 3L * s.length();
            strings = Math.max(strings, bytes);
            traversal += bytes / 10 + 2;
        }
    }

    @Provide
    Arbitrary<TextEdit> edits() {
        return TextEdit.of(POD, 12, "", "1", "true", "null", "\"x\"", "{}", "[]", "1.5", "-7", "\"name\":5,", "\"spec\":null,",
                "\"metadata\":{},", "\"a\":[1,{}],", "\"\\u00e9\"", "1e400", "99999999999999999999", "\"image\":\"dup\",", "{\"k\":1,\"k\":2}");
    }

    private static boolean wellFormed(String json) {
        try {
            Json.mapper().readTree(json);
            return true;
        } catch (JacksonException e) {
            return false;
        }
    }

}
