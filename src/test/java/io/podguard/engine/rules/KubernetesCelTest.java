package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The Kubernetes CEL environment: values, errors in the apiserver's words, and the cost limit against hostile input. */
class KubernetesCelTest {

    private static final KubernetesCel CEL = KubernetesCel.get();

    private static KubernetesCel.Outcome eval(String expression, Object object) {
        CompiledExpression c = CEL.compile(expression, Set.of(), KubernetesCel.Result.ANY);
        return CEL.evaluate(c, KubernetesCel.resolver(Map.of("object", object)), KubernetesCel.PER_CALL_LIMIT);
    }

    private static Object pod() {
        return CelValues.of(Json.mapper().readTree("""
                {"metadata":{"name":"web","labels":{"team":"payments"}},
                 "spec":{"containers":[{"name":"app","image":"nginx:1.27","resources":{"limits":{"memory":"1Gi"}}},
                                       {"name":"side","image":"busybox:latest"}]}}"""));
    }

    @Test
    void evaluateWhenPodFieldsThenValuesAsTheApiserverReadsThem() {
        assertThat(eval("object.spec.containers.map(c, c.name)", pod()).value()).isEqualTo(List.of("app", "side"));
        assertThat(eval("object.spec.containers.all(c, !c.image.endsWith(':latest'))", pod()).value()).isEqualTo(false);
        assertThat(eval("quantity(object.spec.containers[0].resources.limits.memory).asInteger()", pod()).value()).isEqualTo(1073741824L);
        assertThat(eval("object.metadata.?labels.?owner.orValue('none')", pod()).value()).isEqualTo("none");
        assertThat(eval("'a1b22'.findAll('[0-9]+')", pod()).value()).isEqualTo(List.of("1", "22"));
        assertThat(eval("cidr('10.0.0.0/8').containsIP('10.1.2.3')", pod()).value()).isEqualTo(true);
        assertThat(eval("semver('1.2.3').isLessThan(semver('1.10.0'))", pod()).value()).isEqualTo(true);
    }

    @Test
    void evaluateWhenFieldMissingThenApiserverWording() {
        assertThat(eval("object.spec.hostAliases.size() == 0", pod()).error()).isEqualTo("no such key: hostAliases");
        assertThat(eval("object.spec.containers[7]", pod()).error()).isEqualTo("index out of bounds: 7");
        assertThat(eval("1 / (size(object.spec.containers) - 2)", pod()).error()).isEqualTo("division by zero");
    }

    @Test
    void compileWhenUndeclaredOrAuthorizerThenRefusedWithCelMessage() {
        assertThatThrownBy(() -> CEL.compile("objct.spec", Set.of(), KubernetesCel.Result.BOOL))
                .hasMessage("compilation failed: ERROR: <input>:1:1: undeclared reference to 'objct' (in container '')\n | objct.spec\n | ^");
        assertThatThrownBy(() -> CEL.compile("authorizer.group('').check('get').allowed()", Set.of(), KubernetesCel.Result.BOOL))
                .hasMessage("authorizer is not available: podguard judges objects without the apiserver's authorizer");
        assertThatThrownBy(() -> CEL.compile("'x'", Set.of(), KubernetesCel.Result.BOOL)).hasMessage("must evaluate to bool but got string");
        assertThatThrownBy(() -> CEL.compile("variables.nope", Set.of("yes"), KubernetesCel.Result.ANY))
                .hasMessage("compilation failed: ERROR: <input>:1:10: undefined field 'nope'");
    }

    @Test
    void compileWhenExpressionHugeOrDeeplyNestedThenRefusedNotCrashed() {
        assertThatThrownBy(() -> CEL.compile("true && ".repeat(1000) + "true", Set.of(), KubernetesCel.Result.BOOL))
                .hasMessage("expression is 8004 characters long, the limit is 5120");
        assertThatThrownBy(() -> CEL.compile("(".repeat(400) + "1" + ")".repeat(400), Set.of(), KubernetesCel.Result.ANY))
                .isInstanceOf(CelRuleException.class);
    }

    @Test
    void evaluateWhenNestedComprehensionsOverABigObjectThenStoppedAtTheCostLimit() {
        ObjectNode big = Json.mapper().createObjectNode();
        ArrayNode items = big.putArray("items");
        for (int i = 0; i < 2000; i++) {
            items.add("item-" + i);
        }
        KubernetesCel.Outcome o = eval("object.items.all(a, object.items.all(b, object.items.all(c, a + b + c != '')))", CelValues.of(big));
        assertThat(o.error()).isEqualTo("operation cancelled: actual cost limit exceeded");
        assertThat(o.outOfBudget()).isTrue();
        assertThat(o.cost()).isBetween(KubernetesCel.PER_CALL_LIMIT, KubernetesCel.PER_CALL_LIMIT + 100);
    }

    @Test
    void evaluateWhenRangeHugeThenRefusedBeforeAllocating() {
        KubernetesCel.Outcome o = eval("lists.range(2000000000).size() > 0", pod());
        assertThat(o.failed()).isTrue();
        assertThat(o.error()).isEqualTo("operation cancelled: actual cost limit exceeded");
    }

    @Test
    void evaluateWhenRegexPathologicalThenLinearTime() {
        // RE2: a pattern that makes a backtracking engine run for ever answers at once
        ObjectNode o = Json.mapper().createObjectNode().put("s", "a".repeat(5000) + "!");
        assertThat(eval("object.s.matches('^(a+)+$')", CelValues.of(o)).value()).isEqualTo(false);
        assertThat(eval("object.s.find('(a|aa)+$')", CelValues.of(o)).value()).isEqualTo("");
    }
}
