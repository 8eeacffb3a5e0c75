package io.podguard.engine.psp;

import static io.podguard.engine.psp.PspFixtures.pod;
import static io.podguard.engine.psp.PspFixtures.podObject;
import static io.podguard.engine.psp.PspFixtures.policy;
import static io.podguard.engine.psp.PspFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The choice among several policies, as the admission plugin's computeSecurityContext made it. */
class PspEngineTest {

    private static final String RESTRICTED = """
            spec:
              runAsUser: {rule: MustRunAsNonRoot}
              allowPrivilegeEscalation: false
              requiredDropCapabilities: [ALL]
              volumes: [configMap, emptyDir, secret]
            """;

    private static List<PspProvider> providers(String... nameAndOverlay) {
        List<io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy> policies = new java.util.ArrayList<>();
        for (int i = 0; i < nameAndOverlay.length; i += 2) {
            policies.add(policy(nameAndOverlay[i], nameAndOverlay[i + 1]));
        }
        return PspSet.of(policies).providers();
    }

    @Test
    void policyThatAdmitsUnchangedWinsOverAnEarlierOneThatMutates() {
        List<PspProvider> set = providers("a-restricted", RESTRICTED, "z-permissive", "");
        PspDecision decision = PspEngine.admit(set, pod(""), true);
        assertThat(decision.policy()).isEqualTo("z-permissive");
        assertThat(decision.mutated()).isFalse();
        assertThat(Json.mapper().writeValueAsString(decision.patch()))
                .isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"kubernetes.io/psp\":\"z-permissive\"}}]");
    }

    @Test
    void firstByNameThatAdmitsAfterDefaultsWinsWhenNoneAdmitsUnchanged() {
        List<PspProvider> set = providers("b-restricted", RESTRICTED,
                "a-readonly", "spec: {readOnlyRootFilesystem: true}",
                "c-privileged-only", "spec: {volumes: []}");
        PspDecision decision = PspEngine.admit(set, pod("spec: {volumes: [{name: d, emptyDir: {}}]}"), true);
        assertThat(decision.policy()).isEqualTo("a-readonly");
        assertThat(decision.mutated()).isTrue();
        assertThat(Json.mapper().writeValueAsString(decision.patch())).isEqualTo("["
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"kubernetes.io/psp\":\"a-readonly\"}},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/securityContext/readOnlyRootFilesystem\",\"value\":true}]");
    }

    @Test
    void whenMutationIsNotAllowedThenAMutatingPolicyDoesNotAdmit() {
        List<PspProvider> set = providers("a-readonly", "spec: {readOnlyRootFilesystem: true}");
        PspDecision decision = PspEngine.admit(set, pod(""), false);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.errors()).isEmpty();
        assertThat(decision.message(false)).isEqualTo("PodSecurityPolicy: unable to validate pod: [] (no PodSecurityPolicy admits the pod as it is, "
                + "and one would after setting its defaults: the pod was not defaulted; is podguard's mutating webhook (/mutate) registered? "
                + "see docs/psp.md)");
    }

    @Test
    void whenNoneAdmitsThenEveryPolicysErrorsInTheOrderTried() {
        List<PspProvider> set = providers("b", "", "a", "spec: {hostNetwork: true}");
        PodObject pod = pod("spec: {hostNetwork: true, containers: [{name: app, image: x, securityContext: {privileged: true}}]}");
        PspDecision decision = PspEngine.admit(set, pod, true);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.errors().keySet()).containsExactly("a", "b");
        assertThat(decision.message(true)).isEqualTo("PodSecurityPolicy: unable to admit pod: ["
                + "spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed "
                + "spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used "
                + "spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed]");
        assertThat(decision.violations()).extracting(Violation::rule)
                .containsExactly("psp.privileged", "psp.hostNetwork", "psp.privileged");
        assertThat(decision.violations().getFirst().path()).isEqualTo("spec.containers[0].securityContext.privileged");
    }

    @Test
    void onValidationThePolicyNamedOnThePodIsTriedFirst() {
        List<PspProvider> set = providers("a", "", "b", "");
        PodObject pod = pod("metadata: {annotations: {kubernetes.io/psp: b}}");
        assertThat(PspEngine.admit(set, pod, false).policy()).isEqualTo("b");
        assertThat(PspEngine.admit(set, pod, true).policy()).isEqualTo("a");
    }

    @Test
    void whenNoPolicyAppliesThenNoProviders() {
        PspDecision decision = PspEngine.admit(List.of(), pod(""), true);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.message(true)).isEqualTo("PodSecurityPolicy: no providers available to validate pod request");
        assertThat(decision.violations()).extracting(Violation::rule).containsExactly("psp.none");
    }

    @Test
    void workloadTemplateErrorsCarryTheTemplatePath() {
        PodObject deployment = podObject(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: app, image: x, securityContext: {privileged: true}}]
                """));
        PspDecision decision = PspEngine.admit(providers("p", ""), deployment, true);
        assertThat(decision.message(true)).isEqualTo("PodSecurityPolicy: unable to admit pod: ["
                + "spec.template.spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed]");
    }

    @Test
    void workloadTemplateDefaultsAreCountedAsAdmission() {
        PodObject deployment = podObject(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  template:
                    spec:
                      containers: [{name: app, image: x}]
                """));
        PspDecision decision = PspEngine.admit(providers("restricted", RESTRICTED), deployment, true);
        assertThat(decision.policy()).isEqualTo("restricted");
        assertThat(decision.mutated()).isTrue();
    }

    @Test
    void updateOfOnlyOwnerReferencesAndFinalizersIsRecognised() {
        var old = yaml("{metadata: {name: p, finalizers: [a]}, spec: {containers: [{name: c}]}}");
        var gc = yaml("{metadata: {name: p, ownerReferences: [{name: o}]}, spec: {containers: [{name: c}]}}");
        var real = yaml("{metadata: {name: p}, spec: {containers: [{name: c, image: other}]}}");
        assertThat(PspEngine.onlyGarbageCollectionFields(gc, old)).isTrue();
        assertThat(PspEngine.onlyGarbageCollectionFields(real, old)).isFalse();
        assertThat(PspEngine.onlyGarbageCollectionFields(gc, null)).isFalse();
    }

    @Test
    void bindingSelectsByNamespaceAndServiceAccount() {
        PspSet set = PspSet.of(List.of(
                policy("all", ""),
                policy("system", "metadata: {annotations: {podguard.io/namespaces: 'kube-system, team-*'}}"),
                policy("logging", "metadata: {annotations: {podguard.io/namespaces: logging, podguard.io/service-accounts: 'logging:fluent-bit, *:vector'}}"),
                policy("builder", "metadata: {annotations: {podguard.io/service-accounts: 'team-*:builder'}}")));
        assertThat(set.applicable("default", "default")).extracting(PspProvider::name).containsExactly("all");
        assertThat(set.applicable("kube-system", "default")).extracting(PspProvider::name).containsExactly("all", "system");
        assertThat(set.applicable("team-a", "builder")).extracting(PspProvider::name).containsExactly("all", "builder", "system");
        assertThat(set.applicable("logging", "fluent-bit")).extracting(PspProvider::name).containsExactly("all", "logging");
        assertThat(set.applicable("logging", "vector")).extracting(PspProvider::name).containsExactly("all", "logging");
        assertThat(set.applicable("default", "vector")).extracting(PspProvider::name).containsExactly("all");
        assertThat(set.applicable("default", "builder")).extracting(PspProvider::name).containsExactly("all");
    }

    /** A tenant creates a service account named like a bound one in its own namespace: it gets nothing. */
    @Test
    void bindingWhenBareNameOrAnyNamespaceThenRefusedUnlessNamespacesListed() {
        assertThatThrownBy(() -> PspSet.of(List.of(policy("builder", "metadata: {annotations: {podguard.io/service-accounts: 'builder, *:vector'}}"))))
                .hasMessage(String.join("\n",
                        "PodSecurityPolicy \"builder\": metadata.annotations[podguard.io/service-accounts]: \"builder\" matches that account name"
                                + " in any namespace, and whoever can create a service account there could use this policy: name the namespace"
                                + " (NAMESPACE:NAME) or list the namespaces in podguard.io/namespaces",
                        "PodSecurityPolicy \"builder\": metadata.annotations[podguard.io/service-accounts]: \"*:vector\" matches that account name"
                                + " in any namespace, and whoever can create a service account there could use this policy: name the namespace"
                                + " (NAMESPACE:NAME) or list the namespaces in podguard.io/namespaces"));

        PspSet listed = PspSet.of(List.of(policy("builder",
                "metadata: {annotations: {podguard.io/namespaces: ci, podguard.io/service-accounts: 'builder'}}")));
        assertThat(listed.applicable("ci", "builder")).extracting(PspProvider::name).containsExactly("builder");
        assertThat(listed.applicable("tenant", "builder")).isEmpty();
    }
}
