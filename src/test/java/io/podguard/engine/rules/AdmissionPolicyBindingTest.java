package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** A ValidatingAdmissionPolicy with a binding: matching, actions, failurePolicy and the apiserver's words. */
class AdmissionPolicyBindingTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static final String POLICY = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: no-latest}
            spec:
              failurePolicy: %s
              matchConstraints:
                resourceRules:
                  - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
                  - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
              matchConditions:
                - name: not-system
                  expression: "!object.metadata.name.startsWith('system-')"
              variables:
                - name: containers
                  expression: "object.kind == 'Pod' ? object.spec.containers : object.spec.template.spec.containers"
              validations:
                - expression: "variables.containers.all(c, !c.image.endsWith(':latest'))"
                  messageExpression: "'latest: ' + variables.containers.map(c, c.name).join(', ')"
                - expression: "object.metadata.labels.team != ''"
            """;

    private static final String BINDING = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata: {name: prod}
            spec:
              policyName: no-latest
              validationActions: [Deny, Audit]
              matchResources:
                namespaceSelector: {matchLabels: {env: prod}}
            """;

    private static AdmissionPolicyBinding compile(String failurePolicy, String binding) {
        return AdmissionPolicyBinding.compile(YAML.readValue(POLICY.formatted(failurePolicy), ValidatingAdmissionPolicy.class),
                YAML.readValue(binding, ValidatingAdmissionPolicyBinding.class));
    }

    private static RuleInput input(String kind, String json, Map<String, String> nsLabels) {
        PodObject pod = PodExtractor.extract(kind, Json.mapper().readTree(json)).orElseThrow();
        return new RuleInput(pod, null, kind, "CREATE", "shop", "alice", List.of(), nsLabels, false);
    }

    private static final String LATEST = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"team":"a"}},
             "spec":{"containers":[{"name":"app","image":"nginx:latest"}]}}""";

    private static List<String> denials(AdmissionPolicyBinding b, RuleInput in) {
        AdmissionPolicyBinding.Outcome o = b.evaluate(in);
        return o == null ? null : o.failures().stream().map(AdmissionPolicyBinding.Denial::message).toList();
    }

    @Test
    void evaluateWhenValidationFailsThenTheMessageItsReasonAndIndex() {
        AdmissionPolicyBinding b = compile("Fail", BINDING);
        assertThat(b.evaluate(input("Pod", LATEST, Map.of("env", "prod"))).failures())
                .containsExactly(new AdmissionPolicyBinding.Denial("latest: app", "Invalid", 0));
        assertThat(b.actions()).containsExactly(AdmissionPolicyBinding.Action.DENY, AdmissionPolicyBinding.Action.AUDIT);
    }

    @Test
    void evaluateWhenOutOfScopeThenNothing() {
        AdmissionPolicyBinding b = compile("Fail", BINDING);
        assertThat(b.evaluate(input("Pod", LATEST, Map.of("env", "dev")))).isNull();
        assertThat(b.evaluate(input("Pod", LATEST.replace("\"web\"", "\"system-web\""), Map.of("env", "prod")))).isNull();
        assertThat(b.evaluate(input("StatefulSet", """
                {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s","namespace":"shop"},
                 "spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:latest"}]}}}}""", Map.of("env", "prod")))).isNull();
    }

    @Test
    void evaluateWhenWorkloadMatchedThenObjectIsTheWorkloadAsSent() {
        AdmissionPolicyBinding b = compile("Fail", BINDING);
        assertThat(denials(b, input("Deployment", """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"shop","labels":{"team":"a"}},
                 "spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:latest"}]}}}}""", Map.of("env", "prod"))))
                .containsExactly("latest: web");
    }

    @Test
    void evaluateWhenExpressionErrorsThenFailurePolicyDecides() {
        String noTeam = LATEST.replace("\"labels\":{\"team\":\"a\"}", "\"labels\":{}").replace("nginx:latest", "nginx:1");
        assertThat(compile("Fail", BINDING).evaluate(input("Pod", noTeam, Map.of("env", "prod"))).failures())
                .containsExactly(new AdmissionPolicyBinding.Denial("expression 'object.metadata.labels.team != \'\'' resulted in error: no such key: team", "", 1));
        assertThat(compile("Ignore", BINDING).evaluate(input("Pod", noTeam, Map.of("env", "prod"))).failures()).isEmpty();
    }

    @Test
    void evaluateWhenMatchConditionsFailAndOneIsFalseThenFalseWins() {
        String policy = """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: p}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
                  matchConditions:
                    - {name: broken, expression: "object.metadata.labels.nope == 'x'"}
                    - {name: also-broken, expression: "object.spec.nope == true"}
                    - {name: %s, expression: "%s"}
                  validations: [{expression: "false", message: denied}]
                """;
        String binding = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                + "metadata: {name: b}\nspec: {policyName: p, validationActions: [Deny]}\n";
        RuleInput in = input("Pod", LATEST, Map.of());
        AdmissionPolicyBinding falseWins = AdmissionPolicyBinding.compile(
                YAML.readValue(policy.formatted("no", "false"), ValidatingAdmissionPolicy.class),
                YAML.readValue(binding, ValidatingAdmissionPolicyBinding.class));
        assertThat(falseWins.evaluate(in)).isNull();
        AdmissionPolicyBinding errors = AdmissionPolicyBinding.compile(
                YAML.readValue(policy.formatted("yes", "true"), ValidatingAdmissionPolicy.class),
                YAML.readValue(binding, ValidatingAdmissionPolicyBinding.class));
        // Go's aggregate of the failures, as the apiserver's matcher reports them
        assertThat(denials(errors, in)).containsExactly("[expression 'object.metadata.labels.nope == 'x'' resulted in error: no such key: nope, "
                + "expression 'object.spec.nope == true' resulted in error: no such key: nope]");
    }

    @Test
    void compileWhenParamsOrBadActionsThenRefusedClearly() {
        assertThatThrownBy(() -> compile("Fail", BINDING.replace("[Deny, Audit]", "[Deny, Block, Warn, Deny]")
                + "  paramRef: {name: p, parameterNotFoundAction: Deny}\n"))
                .isInstanceOfSatisfying(RuleCompileException.class, e -> assertThat(e.errors()).containsExactly(
                        "binding prod: spec.paramRef: parameters are not supported: podguard reads no objects from the cluster to judge; put the values in variables instead",
                        "binding prod: spec.validationActions[1]: Unsupported value: \"Block\": supported values: \"Audit\", \"Deny\", \"Warn\"",
                        "binding prod: spec.validationActions[3]: Duplicate value: \"Deny\"",
                        "binding prod: spec.validationActions: Invalid value: must not contain both Deny and Warn (repeating the same validation "
                                + "failure information in the API response and headers serves no purpose)"));
    }

    @Test
    void evaluateWhenBoundProvesTheLimitsOutOfReachThenUnmeteredWithTheSameWords() {
        AdmissionPolicyBinding b = compile("Fail", BINDING);
        RuleInput in = input("Pod", LATEST, Map.of("env", "prod"));
        assertThat(b.untracked(in.sizes())).isTrue();
        assertThat(b.evaluate(in, in.sizes(), CelProjection.ALL).failures()).isEqualTo(b.evaluate(in, CostBound.Size.UNKNOWN, CelProjection.ALL).failures())
                .containsExactly(new AdmissionPolicyBinding.Denial("latest: app", "Invalid", 0));
    }

    @Test
    void evaluateWhenPolicyCanPassTheLimitOnThisPodThenMeteredAndCancelledWithTheApiserverWords() {
        String cubic = "object.spec.containers.all(a, object.spec.containers.all(b, object.spec.containers.all(c, "
                + "a.name + b.name + c.name != '')))";
        AdmissionPolicyBinding b = AdmissionPolicyBinding.compile(YAML.readValue("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: no-latest}
                spec:
                  matchConstraints:
                    resourceRules:
                      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
                  validations:
                    - expression: "%s"
                """.formatted(cubic), ValidatingAdmissionPolicy.class), YAML.readValue(BINDING, ValidatingAdmissionPolicyBinding.class));
        RuleInput small = input("Pod", LATEST, Map.of("env", "prod"));
        assertThat(b.untracked(small.sizes())).isTrue();
        assertThat(b.evaluate(small).failures()).isEmpty();
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"image\":\"nginx:1\"}");
        }
        RuleInput large = input("Pod", LATEST.replace("[{\"name\":\"app\",\"image\":\"nginx:latest\"}]", "[" + containers + "]"),
                Map.of("env", "prod"));
        assertThat(b.untracked(large.sizes())).isFalse();
        assertThat(b.evaluate(large).failures()).containsExactly(new AdmissionPolicyBinding.Denial(
                "expression '" + cubic + "' resulted in error: operation cancelled: actual cost limit exceeded", "", 0));
    }
}
