package io.podguard.engine.pss;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The whole standard at once: PSA's check order, overrides and message format. */
class PodSecurityEvaluatorTest {

    private final PodSecurityEvaluator evaluator = new PodSecurityEvaluator(PodSecurityChecks.registry());

    private static final String BAD_POD = """
            spec:
              hostNetwork: true
              containers:
              - name: app
                securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN]}}
            """;

    @Test
    void evaluateWhenRestrictedLatestThenBaselineThenRestrictedSortedById() {
        List<Violation> violations = evaluator.evaluate(LevelVersion.parse("restricted", "latest"), TestPods.pod(BAD_POD));

        assertThat(violations).extracting(Violation::rule).containsExactly(
                "hostNamespaces", "privileged", "allowPrivilegeEscalation", "capabilities_restricted",
                "runAsNonRoot", "seccompProfile_restricted");
        assertThat(PodSecurityEvaluator.denialMessage(LevelVersion.parse("restricted", "latest"), violations)).isEqualTo(
                "violates PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true), "
                        + "privileged (container \"app\" must not set securityContext.privileged=true), "
                        + "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), "
                        + "unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]; "
                        + "container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add), "
                        + "runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), "
                        + "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
    }

    @Test
    void evaluateWhenBaselineThenBaselineCapabilitiesNotOverridden() {
        List<Violation> violations = evaluator.evaluate(LevelVersion.parse("baseline", "v1.30"), TestPods.pod(BAD_POD));

        assertThat(violations).extracting(Violation::rule).containsExactly("capabilities_baseline", "hostNamespaces", "privileged");
        assertThat(violations.getFirst().message())
                .isEqualTo("non-default capabilities (container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)");
        assertThat(violations.getFirst().path()).isEqualTo("spec.containers[0].securityContext.capabilities.add[0]");
    }

    @Test
    void evaluateWhenRestrictedBeforeV122ThenBaselineCapabilitiesStillRun() {
        List<Violation> violations = evaluator.evaluate(LevelVersion.parse("restricted", "v1.21"), TestPods.pod(BAD_POD));

        assertThat(violations).extracting(Violation::rule).contains("capabilities_baseline").doesNotContain("capabilities_restricted");
    }

    @Test
    void evaluateWhenVersionNewerThanKnownThenLatestRulesUnderItsOwnName() {
        LevelVersion future = LevelVersion.parse("restricted", "v1.99");

        List<Violation> violations = evaluator.evaluate(future, TestPods.pod(BAD_POD));

        assertThat(violations).isEqualTo(evaluator.evaluate(LevelVersion.parse("restricted", "latest"), TestPods.pod(BAD_POD)));
        assertThat(PodSecurityEvaluator.denialMessage(future, violations)).startsWith("violates PodSecurity \"restricted:v1.99\": ");
    }

    @Test
    void evaluateWhenPrivilegedLevelThenNothing() {
        assertThat(evaluator.evaluate(LevelVersion.parse("privileged", "latest"), TestPods.pod(BAD_POD))).isEmpty();
    }

    @Test
    void evaluateWhenWorkloadThenPathsPointIntoTheTemplate() {
        PodObject deployment = PodExtractor.extract("Deployment", YAMLMapper.builder().build().readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers: [{name: app, securityContext: {privileged: true}}]
                """)).orElseThrow();

        List<Violation> violations = evaluator.evaluate(LevelVersion.parse("baseline", "latest"), deployment);

        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo("privileged");
            assertThat(v.path()).isEqualTo("spec.template.spec.containers[0].securityContext.privileged");
        });
    }

    @Test
    void evaluateWhenCompliantRestrictedPodThenAllowed() {
        PodObject pod = TestPods.pod("""
                spec:
                  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                  containers:
                  - name: app
                    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                """);
        assertThat(evaluator.evaluate(LevelVersion.parse("restricted", "latest"), pod)).isEmpty();
    }
}
