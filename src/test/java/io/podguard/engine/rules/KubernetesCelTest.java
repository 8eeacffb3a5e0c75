package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The Kubernetes CEL environment: values, errors in the apiserver's words, and the cost limit against hostile input. */
class KubernetesCelTest {

    private static final KubernetesCel CEL = KubernetesCel.get();

    private static KubernetesCel.Outcome eval(String expression, Object object) {
        CompiledExpression c = CEL.compile(expression, KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY);
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
        assertThatThrownBy(() -> CEL.compile("objct.spec", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessage("compilation failed: ERROR: <input>:1:1: undeclared reference to 'objct' (in container '')\n | objct.spec\n | ^");
        assertThatThrownBy(() -> CEL.compile("authorizer.group('').check('get').allowed()", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessage("authorizer is not available: podguard judges objects without the apiserver's authorizer");
        // a message expression has no authorizer in the apiserver either: CEL's own words
        assertThatThrownBy(() -> CEL.compile("authorizer.group('').check('get').reason()", KubernetesCel.Scope.NONE.withoutAuthorizer(),
                KubernetesCel.Result.STRING)).hasMessageStartingWith("compilation failed: ERROR: <input>:1:1: undeclared reference to 'authorizer'");
        assertThatThrownBy(() -> CEL.compile("'x'", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL)).hasMessage("must evaluate to bool but got string");
    }

    @Test
    void compileWhenTypesAreTheApiserversThenItsRefusals() {
        Map<String, dev.cel.common.types.CelType> vars = Map.of("n", dev.cel.common.types.SimpleType.INT);
        assertThatThrownBy(() -> CEL.compile("variables.nope == 1", KubernetesCel.Scope.of(vars), KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:10: undefined field 'nope'");
        assertThatThrownBy(() -> CEL.compile("variables.n + 'x' == 'x'", KubernetesCel.Scope.of(vars), KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:13: found no matching overload for '_+_' applied to '(int, string)'");
        assertThatThrownBy(() -> CEL.compile("variables.n == 1", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:1: undeclared reference to 'variables'");
        assertThatThrownBy(() -> CEL.compile("object.spec.hostNetwork", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessage("must evaluate to bool but got dyn");
        assertThatThrownBy(() -> CEL.compile("request.nope == 'x'", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:8: undefined field 'nope'");
        assertThatThrownBy(() -> CEL.compile("params.x == 1", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:1: undeclared reference to 'params'");
        assertThatThrownBy(() -> CEL.compile("['a'].sum() == 'a'", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:10: found no matching overload for 'sum' applied to 'list(string).()'");
        assertThatThrownBy(() -> CEL.compile("[1, 'a'].size() == 2", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessage("compilation failed: ERROR: <input>:1:5: expected type 'int' but found 'string'\n | [1, 'a'].size() == 2\n | ....^");
        assertThatThrownBy(() -> CEL.compile("duration('1x') > duration('1s')", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:10: invalid duration argument");
        assertThatThrownBy(() -> CEL.compile("int('x') == 1", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessage("program instantiation failed: type conversion error from 'string' to 'int'");
        // format() as cel-go's strings extension (version 2) has it, its clauses checked against literal arguments
        assertThat(eval("'%s of %d: %.2f, %e'.format([object.metadata.name, 3, 1234.5, 1234567.5])", pod()).value())
                .isEqualTo("web of 3: 1,234.50, 1.234568×10⁰⁶");
        assertThatThrownBy(() -> CEL.compile("'%d'.format(['a']) == ''", KubernetesCel.Scope.NONE, KubernetesCel.Result.BOOL))
                .hasMessageStartingWith("compilation failed: ERROR: <input>:1:14: error during formatting: decimal clause can only be used on integers, was given string");
        // a list function on a list whose type is only known at run time still runs
        assertThat(eval("object.spec.containers.map(c, c.name).isSorted()", pod()).value()).isEqualTo(true);
        assertThat(eval("request.dryRun", pod()).error()).isEqualTo("no such attribute(s): request");
    }

    @Test
    void compileWhenExpressionDeeplyNestedThenRefusedNotCrashed() {
        assertThatThrownBy(() -> CEL.compile("(".repeat(400) + "1" + ")".repeat(400), KubernetesCel.Scope.NONE, KubernetesCel.Result.ANY))
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

    @Test
    void evaluateWhenOverloadChosenAtRunTimeThenEveryFunctionOfTheName() {
        // `dyn` arguments: the planner picks the overload by the value, among a library's and podguard's of one name
        assertThat(eval("object.metadata.name.indexOf('b')", pod()).value()).isEqualTo(2L);
        assertThat(eval("object.spec.containers.map(c, c.name).indexOf('side')", pod()).value()).isEqualTo(1L);
        assertThat(eval("object.spec.containers.map(c, c.name).lastIndexOf('app')", pod()).value()).isEqualTo(0L);
        // Go's conversions of a string replace cel-java's, also when the string is only known at run time
        ObjectNode values = Json.mapper().createObjectNode().put("n", "+12").put("b", "t").put("d", "1_000.5");
        assertThat(eval("int(object.n)", CelValues.of(values)).value()).isEqualTo(12L);
        assertThat(eval("bool(object.b)", CelValues.of(values)).value()).isEqualTo(true);
        assertThat(eval("double(object.d)", CelValues.of(values)).value()).isEqualTo(1000.5);
        assertThat(eval("bool(object.n)", CelValues.of(values)).error()).isEqualTo("type conversion error from 'string' to 'bool'");
        assertThat(eval("string(ip(object.metadata.name == 'web' ? '10.0.0.1' : '::1'))", pod()).value()).isEqualTo("10.0.0.1");
    }

    @Test
    void evaluateWhenTypeOfAValueThenItsCelType() {
        assertThat(eval("type(object) == map && type(object.spec.containers) == list", pod()).value()).isEqualTo(true);
        // type() runs on the interpreter, which knows the libraries' types (the planner does not)
        assertThat(eval("type(object.metadata.name) == string && type(quantity('1Gi')) == kubernetes.Quantity", pod()).value())
                .isEqualTo(true);
        assertThat(eval("type(ip('10.0.0.1')) == net.IP", pod()).value()).isEqualTo(true);
    }

    @Test
    void evaluateWhenMapKeyIsNoStringIntUintOrBoolThenMadeAsCelGoMakesIt() {
        // cel-java's planner refuses such a map; the expression runs on its interpreter, as cel-go runs it
        assertThat(eval("{1.5: 'a'}[1.5]", pod()).value()).isEqualTo("a");
        assertThat(eval("{object.metadata.name: 1}['web']", pod()).value()).isEqualTo(1L);
    }

    @Test
    void evaluateWhenFieldsReadThenOneForTheVariableAndEachField() {
        // object, spec, containers, [0], image: 5, as cel-go counts them, however the planner reads the chain
        assertThat(eval("object.spec.containers[0].image", pod()).cost()).isEqualTo(5);
        // a presence test is free, the fields it stands on are not: object, spec, containers, [0], resources
        assertThat(eval("has(object.spec.containers[0].resources.limits)", pod()).cost()).isEqualTo(5);
        assertThat(eval("has(object.spec.hostAliases)", pod()).cost()).isEqualTo(2);
        // the same expression on the interpreter (a map literal with a double key) costs the same
        assertThat(eval("{1.5: object.spec.containers[0].image}.size()", pod()).cost())
                .isEqualTo(eval("{'k': object.spec.containers[0].image}.size()", pod()).cost());
    }
}
