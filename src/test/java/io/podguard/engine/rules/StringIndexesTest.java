package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** indexOf and lastIndexOf of strings: cel-java's values and errors, in code points, without its code-point arrays. */
class StringIndexesTest {

    private static final List<String> STRINGS = List.of("", "a", ":", "nginx:1.27", "registry.example.com:5000/team/app:v1",
            "aaa", "aXaXa", "a😀b:c", "😀", "😀😀", "\uD83D", "x\uDE00y", "\uD83D\uDE00:", "é:ü/ß");

    private static Object call(CelFunctionOverload f, String s, String sub) {
        try {
            return f.apply(new Object[] {s, sub});
        } catch (CelEvaluationException e) {
            return "error: " + e.getMessage();
        }
    }

    @Test
    void bindingsWhenAnyPairOfStringsThenCelJavasAnswer() {
        var strings = CelExtensions.strings();
        Map<String, CelFunctionOverload> celJava = new java.util.HashMap<>();
        for (CelFunctionBinding b : PlannerBindings.bindingsOf(strings)) {
            celJava.put(b.getOverloadId(), b.getDefinition());
        }
        Map<String, CelFunctionOverload> ours = new java.util.HashMap<>();
        for (CelFunctionBinding b : StringIndexes.bindings(strings)) {
            ours.put(b.getOverloadId(), b.getDefinition());
        }
        assertThat(ours.keySet()).containsExactlyInAnyOrder(StringIndexes.INDEX_OF, StringIndexes.LAST_INDEX_OF);
        for (String id : ours.keySet()) {
            for (String s : STRINGS) {
                for (String sub : STRINGS) {
                    assertThat(call(ours.get(id), s, sub)).as("%s(%s, %s)", id, s, sub).isEqualTo(call(celJava.get(id), s, sub));
                }
            }
        }
    }

    @Test
    void evaluateWhenIndexOfStringsThenCodePointIndexes() {
        KubernetesCel cel = KubernetesCel.get();
        Object pod = CelValues.of(io.podguard.engine.Json.mapper().readTree("""
                {"spec":{"containers":[{"image":"a😀b:c/d:e"}]}}"""));
        Map<String, Object> expected = new java.util.LinkedHashMap<>();
        expected.put("object.spec.containers[0].image.lastIndexOf(':')", 7L);
        expected.put("object.spec.containers[0].image.lastIndexOf('/')", 5L);
        expected.put("object.spec.containers[0].image.indexOf(':')", 3L);
        expected.put("object.spec.containers[0].image.lastIndexOf('')", 9L);
        expected.put("object.spec.containers[0].image.indexOf('')", 0L);
        expected.put("object.spec.containers[0].image.indexOf('x')", -1L);
        expected.put("'registry:5000/app:v1'.lastIndexOf(':') > 'registry:5000/app:v1'.lastIndexOf('/')", true);
        expected.put("'registry:5000/app'.lastIndexOf(':') > 'registry:5000/app'.lastIndexOf('/')", false);
        expected.put("'a:b:c'.indexOf(':')", 1L);
        expected.put("'a:b:c'.lastIndexOf(':')", 3L);
        expected.put("'😀:'.indexOf(':')", 1L);
        for (var e : expected.entrySet()) {
            CompiledExpression c = cel.compile(e.getKey(), KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
            for (boolean tracked : new boolean[] {true, false}) {
                KubernetesCel.Outcome o = cel.evaluate(c, KubernetesCel.resolver(Map.of("object", pod)), KubernetesCel.PER_CALL_LIMIT, tracked);
                assertThat(o.error()).as(e.getKey()).isNull();
                assertThat(o.value()).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
        CompiledExpression empty = cel.compile("''.indexOf('a')", KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
        assertThat(cel.evaluate(empty, KubernetesCel.resolver(Map.of()), KubernetesCel.PER_CALL_LIMIT).error())
                .isEqualTo("indexOf failure: Offset out of range: 0");
    }
}
