package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rules:} in a policy: refused with paths when broken; judged in their mode, per namespace, with exemptions. */
class PolicyRulesTest {

    private static final String RULES = """
            mode: enforce
            podSecurity: {level: privileged}
            defaults: {enabled: false}
            rules:
              - id: no-latest
                expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
                message: no latest
              - id: team
                expression: "'team' in object.metadata.?labels.orValue({})"
                message: team label
                mode: warn
            """;

    private static PodObject pod(String namespace, String image) {
        return PodExtractor.extract("Pod", Json.mapper().readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\""
                + namespace + "\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"},"
                + "{\"name\":\"proxy\",\"image\":\"istio/proxy:latest\"}]}}")).orElseThrow();
    }

    private static Evaluation judge(String yaml, String namespace, String image) {
        return judge(yaml, namespace, image, Map.of());
    }

    private static Evaluation judge(String yaml, String namespace, String image, Map<String, String> labels) {
        Policy policy = PolicyLoader.parse(yaml);
        PodObject p = pod(namespace, image);
        EffectivePolicy e = new ConfiguredPolicyResolver(policy, ns -> labels, Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE)
                .resolve(RequestInfo.offline(namespace), p);
        return io.podguard.testing.Judging.evaluate(p, e);
    }

    @Test
    void readsObjectTreeWhenAnythingButPodSecurityOrCelJudgesThenTrue() {
        // Pod Security reads the typed pod alone, CEL rules and ValidatingAdmissionPolicies the
        // review's bytes: the pod is typed from the bytes and its tree never built; placement
        // (top level or in a namespace) reads the tree.
        assertThat(PolicyResolver.fixed(PolicyLoader.embeddedDefault()).readsObjectTree()).isFalse();
        assertThat(PolicyResolver.fixed(PolicyLoader.parse("mode: enforce\npodSecurity: {level: restricted}\n")).readsObjectTree()).isFalse();
        assertThat(PolicyResolver.fixed(PolicyLoader.parse(RULES)).readsObjectTree()).isFalse();
        assertThat(PolicyResolver.fixed(PolicyLoader.parse(RULES + "placement: {nodeName: {}}\n")).readsObjectTree()).isTrue();
        assertThat(PolicyResolver.fixed(PolicyLoader.parse("""
                mode: enforce
                podSecurity: {level: baseline}
                namespaces:
                  - names: [payments]
                    rules:
                      - id: no-latest
                        expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
                        message: no latest
                    placement:
                      nodeSelector: {default: {dedicated: ml}}
                """)).readsObjectTree()).isTrue();
    }

    @Test
    void parseWhenRulesBrokenThenEveryErrorWithItsPath() {
        assertThatThrownBy(() -> PolicyLoader.parse("""
                rules:
                  - id: privileged
                    expression: "true"
                  - id: a
                    expression: "objct.x"
                  - id: a
                    expression: "1"
                  - expression: "true"
                exemptions:
                  - reason: r
                    checks: [a, b]
                """)).isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.errors()).containsExactly(
                "rules[0].id: \"privileged\" is the id of a built-in check: choose another",
                "rules[1].expression: undeclared reference to 'objct' (at 1:1)",
                "rules[2].id: \"a\" is the id of another rule",
                "rules[3].id: required: the rule's name in messages, reports and exemptions",
                "exemptions[0].checks[1]: unknown check \"b\" (did you mean a?)"));
    }

    @Test
    void evaluateWhenRulesBrokenThenEachInItsMode() {
        Evaluation e = judge(RULES, "shop", "nginx:1.27");
        assertThat(e.enforce()).containsExactly(new Violation("no-latest", "spec", "rule \"no-latest\"", "no latest"));
        assertThat(e.warn()).containsExactly(new Violation("team", "spec", "rule \"team\"", "team label"));
        assertThat(e.audit()).isEmpty();
    }

    @Test
    void evaluateWhenExemptedByRuleIdOrImageThenDroppedOrJudgedWithoutThoseContainers() {
        Evaluation whole = judge(RULES + """
                exemptions:
                  - reason: legacy
                    namespaces: [legacy]
                    checks: [no-latest]
                """, "legacy", "nginx:latest");
        assertThat(whole.enforce()).isEmpty();
        assertThat(whole.exemptionsApplied()).hasSize(1);
        String proxy = RULES + """
                exemptions:
                  - reason: the mesh pins its proxy by its own means
                    images: ["docker.io/istio/proxy:*"]
                    checks: [no-latest]
                """;
        assertThat(judge(proxy, "shop", "nginx:1.27").enforce()).isEmpty();
        assertThat(judge(proxy, "shop", "nginx:latest").enforce()).extracting(Violation::rule).containsExactly("no-latest");
    }

    @Test
    void evaluateWhenNamespaceOverridesRulesOrModeThenItsOwn() {
        String yaml = RULES + """
                namespaces:
                  - names: [sandbox]
                    mode: audit
                  - names: [tools]
                    rules:
                      - id: tools-only
                        expression: "object.metadata.namespace == 'tools' && false"
                        message: nothing runs here
                """;
        Evaluation sandbox = judge(yaml, "sandbox", "nginx:1.27");
        assertThat(sandbox.enforce()).isEmpty();
        assertThat(sandbox.audit()).extracting(Violation::rule).containsExactly("no-latest");
        assertThat(sandbox.warn()).extracting(Violation::rule).containsExactly("team");
        assertThat(judge(yaml, "tools", "nginx:1.27").enforce()).extracting(Violation::detail).containsExactly("nothing runs here");
    }

    @Test
    void evaluateWhenRuleReadsNamespaceLabelsThenFromTheCache() {
        String yaml = """
                podSecurity: {level: privileged}
                defaults: {enabled: false}
                rules:
                  - id: prod-only-tagged
                    matchConditions:
                      - name: prod
                        expression: "namespaceObject.metadata.labels.?env.orValue('') == 'prod'"
                    expression: "false"
                    messageExpression: "'namespace ' + namespaceObject.metadata.name + ' is production'"
                """;
        assertThat(judge(yaml, "shop", "nginx:1.27", Map.of("env", "prod")).enforce())
                .extracting(Violation::detail).containsExactly("namespace shop is production");
        assertThat(judge(yaml, "shop", "nginx:1.27", Map.of("env", "dev")).enforce()).isEmpty();
    }
}
