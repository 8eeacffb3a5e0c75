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
    void evaluateWhenOneConditionFailsThenAnyFalseSkipsElseTheFailureIsTheViolation() {
        CelRule.Named failing = new CelRule.Named("owner", "object.metadata.labels.owner == 'x'");
        RuleInput in = RuleInput.offline(LATEST);
        CelRule skipped = rule("false", List.of(), List.of(failing, new CelRule.Named("dev", "object.metadata.labels.env == 'dev'")), "m", null);
        assertThat(skipped.untracked(in.sizes())).isTrue();
        assertThat(skipped.evaluate(in)).isNull();
        assertThat(skipped.evaluate(in.variables())).isNull();
        CelRule applies = rule("false", List.of(new CelRule.Named("env", "object.metadata.labels.env")),
                List.of(new CelRule.Named("prod", "variables.env == 'prod'"), failing), "m", null);
        assertThat(applies.evaluate(in).detail()).isEqualTo(applies.evaluate(in.variables()).detail())
                .isEqualTo("failed to evaluate match condition 'owner': expression 'object.metadata.labels.owner == 'x'' resulted in error: no such key: owner");
        CelRule passes = rule("variables.env == 'prod'", List.of(new CelRule.Named("env", "object.metadata.labels.env")),
                List.of(new CelRule.Named("prod", "variables.env == 'prod'")), "m", null);
        assertThat(passes.evaluate(in)).isNull();
        CelRule denies = rule("variables.env != 'prod'", List.of(new CelRule.Named("env", "object.metadata.labels.env")),
                List.of(new CelRule.Named("prod", "variables.env == 'prod'")), "m", "'env is ' + variables.env");
        assertThat(denies.evaluate(in).detail()).isEqualTo("env is prod");
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

    /** A pod of {@code n} containers. */
    private static PodObject containers(int n) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) {
            list.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"image\":\"nginx:1.").append(i).append("\"}");
        }
        return pod("Pod", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"},"
                + "\"spec\":{\"containers\":[" + list + "]}}");
    }

    @Test
    void evaluateWhenBoundProvesTheLimitOutOfReachThenUntrackedWithTheSameVerdict() {
        CelRule r = rule("object.spec.containers.all(c, !c.image.endsWith(':latest'))", List.of(), List.of(), "no latest", null);
        RuleInput in = RuleInput.offline(LATEST);
        assertThat(r.untracked(in.sizes())).isTrue();
        assertThat(r.evaluate(in)).isEqualTo(new Violation("r", "spec", "rule \"r\"", "no latest"));
        // the same judgement tracked (sizes unknown)
        assertThat(r.evaluate(in.variables())).isEqualTo(r.evaluate(in));
        assertThat(r.untracked(CostBound.Size.UNKNOWN)).isFalse();
    }

    @Test
    void evaluateWhenRuleCanPassTheLimitOnThisPodThenTrackedAndCancelledWithTheApiserverWords() {
        String cubic = "object.spec.containers.all(a, object.spec.containers.all(b, object.spec.containers.all(c, "
                + "a.name + b.name + c.name != '')))";
        CelRule r = rule(cubic, List.of(), List.of(), "m", null);
        // a pod of 3 containers: 27 steps, far from the limit, untracked
        RuleInput small = RuleInput.offline(containers(3));
        assertThat(r.untracked(small.sizes())).isTrue();
        assertThat(r.evaluate(small)).isNull();
        // 120 containers: 1.7 million steps, past the limit; tracked, and cancelled as the apiserver cancels it
        RuleInput large = RuleInput.offline(containers(120));
        assertThat(r.untracked(large.sizes())).isFalse();
        assertThat(r.evaluate(large).detail())
                .isEqualTo("expression '" + cubic + "' resulted in error: operation cancelled: actual cost limit exceeded");
    }

    @Test
    void evaluateWhenCostUnboundedThenAlwaysTracked() {
        CelRule r = rule("lists.range(size(object.spec.containers)).all(i, i >= 0)", List.of(), List.of(), "m", null);
        assertThat(r.untracked(RuleInput.offline(LATEST).sizes())).isFalse();
        assertThat(r.provablyWithinLimits(new CostBound.Size(1, 1, 1))).isFalse();
    }

    @Test
    void evaluateWhenUntrackedThenVariablesConditionsAndErrorsWordedAsTracked() {
        CelRule r = rule("variables.tagged.size() == 0", List.of(
                new CelRule.Named("images", "object.spec.containers.map(c, c.image)"),
                new CelRule.Named("tagged", "variables.images.filter(i, i.endsWith(':latest'))")),
                List.of(new CelRule.Named("prod", "object.metadata.labels.env == 'prod'")), null, "'latest: ' + variables.tagged.join(', ')");
        RuleInput in = RuleInput.offline(LATEST);
        assertThat(r.untracked(in.sizes())).isTrue();
        assertThat(r.evaluate(in).detail()).isEqualTo("latest: nginx:latest");
        CelRule failing = rule("variables.missing == ''", List.of(new CelRule.Named("missing", "object.spec.nodeName")), List.of(),
                "m", null);
        assertThat(failing.untracked(in.sizes())).isTrue();
        assertThat(failing.evaluate(in).detail()).isEqualTo(failing.evaluate(in.variables()).detail())
                .isEqualTo("expression 'variables.missing == ''' resulted in error: composited variable \"missing\" fails to evaluate: "
                        + "no such key: nodeName");
    }

    @Test
    void compileWhenCookbookRulesThenEveryOneUntrackedOnTheBenchmarkPod() throws Exception {
        tools.jackson.databind.JsonNode review = io.podguard.engine.Json.mapper().readTree(
                java.nio.file.Files.readString(java.nio.file.Path.of("bench/reviews/pod-review.json")));
        RuleInput in = RuleInput.offline(pod("Pod", review.get("request").get("object").toString()));
        tools.jackson.databind.JsonNode cookbook = io.podguard.engine.Json.yaml().readTree(
                java.nio.file.Files.readString(java.nio.file.Path.of("docs/examples/rules-cookbook.yaml")));
        List<String> untracked = new java.util.ArrayList<>();
        for (tools.jackson.databind.JsonNode rule : cookbook.get("rules")) {
            List<CelRule.Named> vars = new java.util.ArrayList<>();
            rule.path("variables").forEach(v -> vars.add(new CelRule.Named(v.get("name").asString(), v.get("expression").asString())));
            List<CelRule.Named> conditions = new java.util.ArrayList<>();
            rule.path("matchConditions").forEach(c -> conditions.add(new CelRule.Named(c.get("name").asString(), c.get("expression").asString())));
            CelRule r = CelRule.compile(rule.get("id").asString(), rule.get("expression").asString(), vars, conditions,
                    rule.path("message").asString(null), rule.path("messageExpression").asString(null));
            if (r.untracked(in.sizes())) {
                untracked.add(r.id());
            }
        }
        assertThat(untracked).containsExactly("allowed-registries", "no-latest", "team-label", "probes-in-production", "no-host-aliases",
                "pull-always", "memory-limits", "cpu-requests", "own-service-account", "no-secrets-in-env");
    }
}
