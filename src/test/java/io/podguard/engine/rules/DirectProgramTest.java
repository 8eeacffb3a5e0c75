package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelVariableResolver;
import io.podguard.engine.Json;
import io.podguard.testing.TextEdit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * {@link DirectProgram} gives cel-java's planner's value or gives up: over every expression of
 * the CEL corpus, over the cookbook's rules on the benchmark's pod and on random edits of it, and
 * on what it must give up on (an error another operand absorbs, an overflow, a comparison of
 * mixed types, a missing key).
 */
class DirectProgramTest {

    private static final String POD = io.podguard.testing.Reviews.benchmarkPod();

    /** What one way gave: the value with its class, or the error. */
    private static String outcome(Object value) {
        return value.getClass().getSimpleName() + " " + value;
    }

    private static String planned(CompiledExpression compiled, CelVariableResolver vars) {
        try {
            return outcome(compiled.program().eval(vars));
        } catch (dev.cel.runtime.CelEvaluationException | RuntimeException e) {
            return "error";
        }
    }

    private static Map<String, Object> objectVars(JsonNode object, JsonNode params) {
        Map<String, Object> vars = new HashMap<>();
        if (object == null || object.isNull()) {
            vars.put("object", NullValue.NULL_VALUE);
        } else {
            byte[] bytes = Json.mapper().writeValueAsBytes(object);
            try (JsonParser p = Json.mapper().createParser(bytes)) {
                vars.put("object", CelJson.read(p, CelProjection.ALL, offset -> Json.mapper().createParser(bytes, (int) offset,
                        bytes.length - (int) offset)).value());
            }
        }
        vars.put("oldObject", NullValue.NULL_VALUE);
        Object p = CelValues.of(params);
        vars.put("params", p == null ? NullValue.NULL_VALUE : p);
        return vars;
    }

    @Test
    void corpusWhenDirectThenPlannersValue() throws Exception {
        ArrayNode cases = (ArrayNode) Json.mapper().readTree(Files.readString(Path.of("src/test/resources/cel/corpus.json")));
        int compiled = 0;
        int direct = 0;
        int answered = 0;
        List<String> differences = new ArrayList<>();
        List<String> notCode = new ArrayList<>();
        for (JsonNode c : cases) {
            CompiledExpression e;
            try {
                e = KubernetesCel.get().compile(c.get("expression").asString(), KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
            } catch (CelRuleException x) {
                continue;
            }
            compiled++;
            if (e.direct() == null) {
                continue;
            }
            direct++;
            CelVariableResolver vars = KubernetesCel.resolver(objectVars(c.get("object"), c.get("params")));
            Object d = e.direct().eval(vars);
            if (!e.direct().compiled()) {
                notCode.add(e.source());
            }
            Object walked = e.direct().eval(vars, false);
            if (!outcome(walked).equals(outcome(d))) {
                differences.add(e.source() + "\n    code: " + outcome(d) + "\n    tree: " + outcome(walked));
            }
            String p = planned(e, vars);
            if (d != DirectProgram.GAVE_UP) {
                answered++;
                if (!outcome(d).equals(p)) {
                    differences.add(e.source() + "\n    direct: " + outcome(d) + "\n    planner: " + p);
                }
            }
            String untracked;
            try {
                untracked = outcome(e.evalUntracked(vars));
            } catch (dev.cel.runtime.CelEvaluationException | RuntimeException x) {
                untracked = "error";
            }
            assertThat(untracked).as(e.source()).isEqualTo(p);
        }
        assertThat(differences).isEmpty();
        // every direct program runs as code
        assertThat(notCode).isEmpty();
        // compiled, with a direct program, answered by it (the rest gave up: cel-java answered)
        assertThat(List.of(compiled, direct, answered)).isEqualTo(List.of(503, 331, 297));
    }

    /** Each cookbook expression on {@code pod}: direct and planned, with the rule's variables. */
    private static List<String> cookbook(JsonNode pod, List<String> gaveUp) {
        List<String> differences = new ArrayList<>();
        CelVariableResolver base = KubernetesCel.resolver(objectVars(pod, null));
        for (CelRule rule : CelOnePassTest.COOKBOOK) {
            for (CompiledExpression e : rule.judging()) {
                CelVariableResolver vars = rule.variables().isEmpty() ? base : new LazyVariables(rule.variables(), base, false).resolver();
                assertThat(e.direct()).as(e.source()).isNotNull();
                Object d = e.direct().eval(vars);
                assertThat(e.direct().compiled()).as(e.source()).isTrue();
                Object walked = e.direct().eval(vars, false);
                if (!outcome(walked).equals(outcome(d))) {
                    differences.add(rule.id() + ": " + e.source() + "\n    code: " + outcome(d) + "\n    tree: " + outcome(walked));
                }
                String p = planned(e, rule.variables().isEmpty() ? base : new LazyVariables(rule.variables(), base, false).resolver());
                if (d == DirectProgram.GAVE_UP) {
                    gaveUp.add(rule.id() + ": " + e.source());
                } else if (!outcome(d).equals(p)) {
                    differences.add(rule.id() + ": " + e.source() + "\n    direct: " + outcome(d) + "\n    planner: " + p);
                }
            }
        }
        return differences;
    }

    @Test
    void cookbookWhenBenchmarkPodThenEveryExpressionDirectAndAlike() {
        List<String> gaveUp = new ArrayList<>();
        assertThat(cookbook(Json.mapper().readTree(POD), gaveUp)).isEmpty();
        assertThat(gaveUp).isEmpty();
    }

    @Property(tries = 300)
    void cookbookWhenPodEditedThenAlike(@ForAll("edits") TextEdit edit) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(edit.apply(POD));
            // a lone surrogate in a name: read, but not written back readably
            Json.mapper().readTree(Json.mapper().writeValueAsBytes(tree));
        } catch (JacksonException e) {
            return;
        }
        assertThat(cookbook(tree, new ArrayList<>())).isEmpty();
    }

    @Provide
    Arbitrary<TextEdit> edits() {
        return TextEdit.of(POD, 12, "", "1", "true", "null", "\"x\"", "{}", "[]", "-7", "1.5", "\"image\":\"a:latest\",", "\"env\":null,",
                "\"labels\":{\"env\":\"production\"},", "\"hostAliases\":[{}],", "\"resources\":{},", "\"\\ud83d\"",
                "\"readinessProbe\":{},", "\"valueFrom\":{\"secretKeyRef\":{}},");
    }

    /**
     * Where the direct program must give up, and cel-java's answer, which the evaluation without
     * tracking gives. cel-java takes a NaN for equal to itself, the same object (cel-go does not):
     * the direct program gives up on a NaN rather than differ from cel-java.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '"', textBlock = """
            object.missing == 1 || true                         ; Boolean true
            true || object.missing == 1                         ; Boolean true
            object.missing == 1 && false                        ; Boolean false
            9223372036854775807 + object.one > 0                ; error
            object.one == 1.0                                   ; Boolean true
            object.one < 2.5                                    ; Boolean true
            object.one == 'a'                                   ; Boolean false
            object.list.all(x, x > 0)                           ; error
            object.list.exists(x, x == 'b')                     ; Boolean true
            object.nan == object.nan                            ; Boolean true
            object.nan != object.nan                            ; Boolean false
            object.nan == 0.0 / 0.0                             ; Boolean false
            object.map.exists(k, k == 'b')                      ; Boolean true
            object.map.map(k, k).join(',')                      ; String a,b
            size(object.list.filter(x, x != 1)) == 2            ; Boolean true
            object.?nothing.?deeper.orValue('none')             ; String none
            object.?map.?b.orValue(0) + 1                       ; Long 3
            object.list[5] == 1                                 ; error
            object['one'] + object.one                          ; Long 2
            object.list.exists_one(x, x == 1)                   ; Boolean true
            quantity('2Gi').compareTo(quantity('1Gi')) + object.one ; Long 2
            quantity('2Gi').isInteger() && object.one == 1        ; Boolean true
            quantity('two') == quantity('2')                    ; error
            """)
    void whenDirectCannotAnswerThenCelJavasAnswer(String expression, String expected) throws Exception {
        for (int i = 0; i < 2; i++) {
            // twice: nothing of one evaluation stays for the next
            evaluatedAlike(expression, expected);
        }
    }

    private static void evaluatedAlike(String expression, String expected) throws Exception {
        CompiledExpression e = KubernetesCel.get().compile(expression, KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        JsonNode object = Json.mapper().readTree("{\"one\": 1, \"nan\": \"x\", \"list\": [1, \"b\", 3], \"map\": {\"a\": 1, \"b\": 2}}");
        Map<String, Object> values = objectVars(object, null);
        @SuppressWarnings("unchecked")
        Map<String, Object> obj = new HashMap<>((Map<String, Object>) values.get("object"));
        obj.put("nan", Double.NaN);
        values.put("object", obj);
        CelVariableResolver vars = KubernetesCel.resolver(values);
        assertThat(planned(e, vars)).isEqualTo(expected);
        String untracked;
        try {
            untracked = outcome(e.evalUntracked(vars));
        } catch (dev.cel.runtime.CelEvaluationException | RuntimeException x) {
            untracked = "error";
        }
        assertThat(untracked).isEqualTo(expected);
        if (e.direct() != null) {
            assertThat(outcome(e.direct().eval(vars, true))).as("code").isEqualTo(outcome(e.direct().eval(vars, false)));
        }
    }

    /** An expression whose code would be too large for the JIT to compile is walked as a tree, with the same values. */
    @Test
    void whenCodeTooLargeThenTreeWalkedAlike() throws Exception {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            names.append(i == 0 ? "" : ", ").append("'name-").append(i).append('\'');
        }
        CompiledExpression large = KubernetesCel.get().compile("object.spec.containers.all(c, c.name in [" + names + "])",
                KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        CompiledExpression small = KubernetesCel.get().compile("object.spec.containers.all(c, c.name in ['name-1', 'name-999'])",
                KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        assertThat(large.direct().compiled()).isFalse();
        assertThat(small.direct().compiled()).isTrue();
        for (String pod : List.of("{\"spec\":{\"containers\":[{\"name\":\"name-999\"},{\"name\":\"name-1\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"name-999\"},{\"name\":\"name-1000\"}]}}")) {
            CelVariableResolver vars = KubernetesCel.resolver(objectVars(Json.mapper().readTree(pod), null));
            Object expected = outcome(large.program().eval(vars));
            assertThat(outcome(large.direct().eval(vars))).isEqualTo(expected);
            assertThat(outcome(small.direct().eval(vars))).isEqualTo(expected);
        }
    }
}
