package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A CEL rule's composition: variables, match conditions, messages and errors, as a VAP validation. */
class CelRuleTest {

    private static PodObject pod(String kind, String json) {
        return PodExtractor.extract(kind, Json.mapper().readTree(json)).orElseThrow();
    }

    private static final PodObject LATEST = pod("Pod", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns","labels":{"env":"prod"}},
             "spec":{"containers":[{"name":"app","image":"nginx:latest"}]}}""");

    private static CelRule rule(String expression, List<CelRule.Named> vars, List<CelRule.Named> conditions, String message,
                                String messageExpression) {
        return CelRule.compile("r", expression, vars, conditions, message, messageExpression);
    }

    @Test
    void evaluateWhenFalseThenMessageExpressionElseMessageElseFailedExpression() {
        String e = "object.spec.containers.all(c, !c.image.endsWith(':latest'))";
        assertThat(rule(e, List.of(), List.of(), null, "'bad: ' + object.spec.containers[0].image").evaluate(RuleInput.offline(LATEST)))
                .isEqualTo(new Violation("r", "spec", "rule \"r\"", "bad: nginx:latest"));
        assertThat(rule(e, List.of(), List.of(), "no latest", "''").evaluate(RuleInput.offline(LATEST)).detail()).isEqualTo("no latest");
        assertThat(rule(e, List.of(), List.of(), null, "'two\\nlines'").evaluate(RuleInput.offline(LATEST)).detail())
                .isEqualTo("failed expression: " + e);
    }

    @Test
    void evaluateWhenMatchConditionFalseThenRuleDoesNotApply() {
        CelRule r = rule("false", List.of(), List.of(new CelRule.Named("prod", "object.metadata.labels.env == 'dev'")), "m", null);
        assertThat(r.evaluate(RuleInput.offline(LATEST))).isNull();
    }

    @Test
    void evaluateWhenMatchConditionFailsThenViolationNamingIt() {
        CelRule r = rule("true", List.of(), List.of(new CelRule.Named("owner", "object.metadata.labels.owner == 'x'")), "m", null);
        assertThat(r.evaluate(RuleInput.offline(LATEST)).detail())
                .isEqualTo("failed to evaluate match condition 'owner': expression 'object.metadata.labels.owner == 'x'' resulted in error: no such key: owner");
    }

    @Test
    void evaluateWhenVariablesThenEachOnceAndInOrder() {
        CelRule r = rule("variables.tagged.size() == 0", List.of(
                new CelRule.Named("images", "object.spec.containers.map(c, c.image)"),
                new CelRule.Named("tagged", "variables.images.filter(i, i.endsWith(':latest'))")), List.of(), null,
                "'latest: ' + variables.tagged.join(', ')");
        assertThat(r.evaluate(RuleInput.offline(LATEST)).detail()).isEqualTo("latest: nginx:latest");
    }

    @Test
    void evaluateWhenExpressionErrorsThenViolationWithApiserverWording() {
        CelRule r = rule("object.spec.hostAliases.size() == 0", List.of(), List.of(), "m", null);
        assertThat(r.evaluate(RuleInput.offline(LATEST)).detail())
                .isEqualTo("expression 'object.spec.hostAliases.size() == 0' resulted in error: no such key: hostAliases");
    }

    @Test
    void evaluateWhenWorkloadThenObjectIsItsTemplateAsAPod() {
        PodObject deployment = pod("Deployment", """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"shop"},
                 "spec":{"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"app","image":"nginx:latest"}]}}}}""");
        CelRule r = rule("false", List.of(), List.of(), null,
                "object.kind + ' ' + object.metadata.namespace + ' ' + object.metadata.labels.app + ' ' + request.kind.kind + ' ' + request.resource.resource");
        assertThat(r.evaluate(RuleInput.offline(deployment)).detail()).isEqualTo("Pod shop d Deployment deployments");
    }

    @Test
    void compileWhenBrokenThenEveryErrorWithItsFieldOnOneLine() {
        assertThatThrownBy(() -> CelRule.compile("r", "objct", List.of(new CelRule.Named("v", "1 +")),
                List.of(new CelRule.Named("m", "'x'")), null, "1"))
                .isInstanceOfSatisfying(RuleCompileException.class, e -> assertThat(e.errors()).containsExactly(
                        "variables[0].expression: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER} (at 1:4)",
                        "matchConditions[0].expression: must evaluate to bool but got string",
                        "expression: undeclared reference to 'objct' (at 1:1)",
                        "messageExpression: must evaluate to string but got int"));
    }
}
