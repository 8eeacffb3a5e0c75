package io.podguard.e2e;

import static io.podguard.e2e.ChartIT.container;
import static io.podguard.e2e.ChartIT.one;
import static io.podguard.e2e.ChartIT.podsWebhook;
import static io.podguard.e2e.ChartIT.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the chart must not leave open ({@code helm template}): the pods webhook fails open only
 * when nothing in the policy can deny; a NetworkPolicy keeps the management port to the
 * namespaces given, and the webhook Service carries only the webhook port; {@code /audit}, the
 * namespace opt-out label and mutual TLS are what the values say, the opt-out label guarded by a
 * Namespace webhook; the JVM always exits on OutOfMemoryError.
 */
class ChartHardeningIT {

    static HelmBinary helm;

    @TempDir
    static Path dir;

    @BeforeAll
    static void helm() {
        helm = HelmBinary.locate();
    }

    static List<HasMetadata> withPolicy(String policy, String... more) throws IOException {
        Path file = Files.createTempFile(dir, "policy", ".yaml");
        Files.writeString(file, policy);
        List<String> args = new ArrayList<>(List.of("--set-file", "policy=" + file));
        args.addAll(List.of(more));
        return helm.template(args.toArray(String[]::new));
    }

    /** Policies and the failurePolicy of the pods webhook: Fail whenever anything can deny. */
    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("no mode: enforce by default", "podSecurity: {level: baseline}\n", "Fail"),
                Arguments.of("audit", "mode: audit\npodSecurity: {level: restricted}\n", "Ignore"),
                Arguments.of("warn with per-mode levels", "mode: warn\npodSecurity:\n  audit: {level: restricted}\n  warn: {level: restricted}\n", "Ignore"),
                Arguments.of("audit, a namespace override enforces (the rollout docs/rollout.md recommends)",
                        "mode: audit\nnamespaces:\n  - names: [payments]\n    mode: enforce\n", "Fail"),
                Arguments.of("audit, a namespace override enforces, flow style",
                        "mode: audit\nnamespaces: [{names: [payments], mode: enforce}]\n", "Fail"),
                Arguments.of("audit, podSecurity.enforce", "mode: audit\npodSecurity:\n  enforce: {level: baseline}\n  audit: {level: restricted}\n", "Fail"),
                Arguments.of("audit, the podguard.io/mode label may enforce", "mode: audit\nnamespaceLabelOverrides: true\n", "Fail"),
                Arguments.of("audit, Pod Security Admission's labels may enforce",
                        "mode: audit\npodSecurity: {level: restricted, namespaceLabels: true}\n", "Fail"),
                Arguments.of("PSA's configuration, enforcing nothing by default (its labels may)",
                        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {audit: restricted}\n", "Fail"),
                Arguments.of("audit, resource rules enforce", "mode: audit\nresources:\n  mode: enforce\n  max: {memory: 1Gi}\n", "Fail"),
                Arguments.of("audit, a CEL rule enforces", "mode: audit\nrules:\n  - id: no-latest\n    mode: enforce\n"
                        + "    expression: \"object.spec.containers.all(c, !c.image.endsWith(':latest'))\"\n    message: no latest\n", "Fail"),
                Arguments.of("PodSecurityPolicies", """
                        apiVersion: policy/v1beta1
                        kind: PodSecurityPolicy
                        metadata: {name: restricted}
                        spec:
                          runAsUser: {rule: RunAsAny}
                          seLinux: {rule: RunAsAny}
                          supplementalGroups: {rule: RunAsAny}
                          fsGroup: {rule: RunAsAny}
                        """, "Fail"),
                Arguments.of("audit, a ValidatingAdmissionPolicyBinding that denies", "mode: audit\n---\n" + vap("[Deny]"), "Fail"),
                Arguments.of("audit, a ValidatingAdmissionPolicyBinding that only warns", "mode: audit\n---\n" + vap("[Warn, Audit]"), "Ignore"));
    }

    private static String vap(String actions) {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: no-latest}
                spec:
                  matchConstraints:
                    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
                  validations: [{expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"}]
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: no-latest}
                spec:
                  policyName: no-latest
                  validationActions: %s
                """.formatted(actions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void failurePolicyWhenAnythingInThePolicyCanDenyThenFail(String description, String policy, String expected) throws IOException {
        List<HasMetadata> objects = withPolicy(policy);

        assertThat(podsWebhook(objects).getFailurePolicy()).as(description).isEqualTo(expected);
        assertThat(one(objects, ValidatingWebhookConfiguration.class).getWebhooks().get(1).getFailurePolicy()).isEqualTo("Ignore");
    }

    @Test
    void networkPolicyWhenDefaultsThenWebhookPortFromAnywhereAndManagementPortFromNowhere() {
        NetworkPolicy policy = one(helm.template(), NetworkPolicy.class);

        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "podguard", "app.kubernetes.io/instance", "podguard"));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("https"));
            assertThat(rule.getFrom()).isNullOrEmpty();
        });
    }

    @Test
    void networkPolicyWhenMonitoringNamespaceGivenThenOnlyItReachesTheManagementPort() {
        List<HasMetadata> objects = helm.template("--set", "networkPolicy.metricsNamespaces={monitoring}",
                "--set", "networkPolicy.webhookFrom[0].ipBlock.cidr=10.0.0.0/24", "--set", "metrics.service.enabled=true");
        List<NetworkPolicyIngressRule> rules = one(objects, NetworkPolicy.class).getSpec().getIngress();

        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).getFrom()).singleElement().satisfies(f -> assertThat(f.getIpBlock().getCidr()).isEqualTo("10.0.0.0/24"));
        assertThat(rules.get(1).getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("management"));
        assertThat(rules.get(1).getFrom()).singleElement().satisfies(f -> {
            assertThat(f.getPodSelector()).isNull();
            assertThat(f.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
                assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
                assertThat(e.getOperator()).isEqualTo("In");
                assertThat(e.getValues()).containsExactly("monitoring");
            });
        });
        List<Service> services = objects.stream().filter(Service.class::isInstance).map(Service.class::cast).toList();
        assertThat(services).extracting(s -> s.getMetadata().getName() + ":" + s.getSpec().getPorts().stream()
                .map(p -> p.getPort() + "->" + p.getTargetPort().getStrVal()).toList())
                .containsExactlyInAnyOrder("podguard:[443->https]", "podguard-metrics:[8081->management]");
        assertThat(helm.template("--set", "networkPolicy.enabled=false")).noneMatch(NetworkPolicy.class::isInstance);
    }

    @Test
    void auditEndpointWhenNotAskedForThenOff() {
        assertThat(container(helm.template("--set", "backgroundAudit.enabled=true")).getArgs())
                .noneMatch(a -> a.startsWith("--management.endpoint.audit.access"));
        assertThat(container(helm.template("--set", "backgroundAudit.enabled=true", "--set", "backgroundAudit.endpoint=true")).getArgs())
                .contains("--management.endpoint.audit.access=read-only");
    }

    @Test
    void optOutWhenDefaultsThenNoLabelTakesANamespaceOut() {
        List<HasMetadata> objects = helm.template();

        assertThat(one(objects, ValidatingWebhookConfiguration.class).getWebhooks()).extracting(ValidatingWebhook::getName)
                .containsExactly("pods.validate.podguard.io", "workloads.validate.podguard.io", "pod-security-labels.namespaces.validate.podguard.io");
        assertThat(podsWebhook(objects).getNamespaceSelector().getMatchExpressions())
                .extracting(e -> e.getKey()).containsExactly("kubernetes.io/metadata.name");
        assertThat(container(objects).getArgs()).noneMatch(a -> a.startsWith("--podguard.webhooks.opt-out"))
                .contains("--podguard.webhooks.exclude-namespaces=kube-system,podguard-system");
    }

    @Test
    void optOutWhenEnabledThenGuardedByANamespaceWebhookThatFailsClosed() {
        List<HasMetadata> objects = helm.template("--set", "webhooks.optOut.enabled=true", "--set", "webhooks.optOut.namespaces={sandbox,lab}");
        List<ValidatingWebhook> webhooks = one(objects, ValidatingWebhookConfiguration.class).getWebhooks();

        assertThat(podsWebhook(objects).getNamespaceSelector().getMatchExpressions()).extracting(e -> e.getKey() + " " + e.getOperator()
                + " " + e.getValues()).containsExactly("kubernetes.io/metadata.name NotIn [kube-system, podguard-system]", "podguard.io/ignore NotIn [true]");
        ValidatingWebhook guard = webhooks.stream().filter(w -> w.getName().startsWith("optout.")).findFirst().orElseThrow();
        assertThat(guard.getName()).isEqualTo("optout.namespaces.validate.podguard.io");
        assertThat(guard.getFailurePolicy()).isEqualTo("Fail");
        assertThat(guard.getSideEffects()).isEqualTo("None");
        assertThat(guard.getObjectSelector().getMatchLabels()).isEqualTo(Map.of("podguard.io/ignore", "true"));
        assertThat(guard.getNamespaceSelector()).isNull();
        ChartIT.assertService(guard.getClientConfig(), "/namespaces/opt-out");
        assertThat(guard.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getApiGroups()).containsExactly("");
            assertThat(r.getResources()).containsExactly("namespaces");
            assertThat(r.getOperations()).containsExactly("CREATE", "UPDATE");
            assertThat(r.getScope()).isEqualTo("Cluster");
        });
        assertThat(container(objects).getArgs()).contains("--podguard.webhooks.opt-out-label=podguard.io/ignore",
                "--podguard.webhooks.opt-out-namespaces=sandbox,lab");
    }

    @Test
    void mutualTlsWhenEnabledThenClientCaMountedAndRequired() {
        List<HasMetadata> objects = helm.template("--set", "mutualTLS.enabled=true", "--set", "mutualTLS.clientCASecret=apiserver-client-ca",
                "--set", "mutualTLS.clientNames={kube-apiserver}");
        Container c = container(objects);

        assertThat(c.getArgs()).contains("--client-ca=/etc/podguard/client-ca/ca.crt", "--podguard.tls.client-names=kube-apiserver");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("client-ca");
            assertThat(m.getMountPath()).isEqualTo("/etc/podguard/client-ca");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(volume(one(objects, Deployment.class).getSpec().getTemplate().getSpec(), "client-ca").getSecret()).satisfies(s -> {
            assertThat(s.getSecretName()).isEqualTo("apiserver-client-ca");
            assertThat(s.getItems()).singleElement().satisfies(i -> assertThat(i.getKey() + "->" + i.getPath()).isEqualTo("ca.crt->ca.crt"));
        });
        assertThat(container(helm.template()).getArgs()).noneMatch(a -> a.startsWith("--client-ca"));
        HelmBinary.Run missing = helm.run(List.of("template", "podguard", HelmBinary.CHART.toString(), "--set", "mutualTLS.enabled=true"));
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("mutualTLS.clientCASecret is required when mutualTLS.enabled");
    }

    @Test
    void jvmWhenJavaOptionsOverriddenThenStillExitsOnOutOfMemory() {
        EnvVar options = container(helm.template("--set", "javaOptions=-Xmx200m")).getEnv().stream()
                .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow();

        assertThat(options.getValue()).isEqualTo("-XX:+ExitOnOutOfMemoryError -Xmx200m");
        assertThat(container(helm.template()).getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                .isEqualTo("JAVA_TOOL_OPTIONS=-XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=70"));
    }

    @Test
    void webhookScopeWhenNamespaceSelectorGivenThenPassedToPodguard() {
        Container c = container(helm.template("--set", "webhooks.namespaceSelector.matchLabels.tier=apps"));

        assertThat(c.getArgs()).contains("--podguard.webhooks.namespace-selector={\"matchLabels\":{\"tier\":\"apps\"}}");
    }
}
