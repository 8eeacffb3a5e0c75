package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.tls.KeyTypes;
import io.podguard.tls.managed.CertificateSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code helm lint} and {@code helm template} of charts/podguard with the real helm, asserted on the parsed YAML. */
class ChartIT {

    static final String NS = "podguard-system";
    static final String NAME = "podguard";
    static final Path EMBEDDED_POLICY = Path.of("src/main/resources/io/podguard/policy/default-policy.yaml");
    static final List<String> WORKLOAD_RESOURCES = List.of("replicationcontrollers", "podtemplates", "deployments",
            "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs");
    static final String CA_BUNDLE = Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));

    static HelmBinary helm;

    @BeforeAll
    static void helm() {
        helm = HelmBinary.locate();
    }

    /** The values that select each certificate mode. */
    static Stream<List<String>> certificateModes() {
        return Stream.of(
                List.of(),
                List.of("--set", "certificates.mode=cert-manager"),
                List.of("--set", "certificates.mode=helm"),
                List.of("--set", "certificates.mode=secret", "--set", "certificates.existingSecret=podguard-serving",
                        "--set", "certificates.caBundle=" + CA_BUNDLE));
    }

    @ParameterizedTest
    @MethodSource("certificateModes")
    void lintWhenAnyCertificateModeThenStrictLintPasses(List<String> values) {
        List<String> args = new ArrayList<>(List.of("lint", "--strict", HelmBinary.CHART.toString()));
        args.addAll(values);
        assertThat(helm.ok(args)).contains("1 chart(s) linted, 0 chart(s) failed");
    }

    @Test
    void templateWhenTheKubernetesVersionIsTooOldThenTheErrorSaysWhatToPass() {
        HelmBinary.Run old = helm.run(List.of("template", "podguard", HelmBinary.CHART.toString(), "--kube-version", "1.20.0"));

        assertThat(old.exitCode()).isEqualTo(1);
        assertThat(old.stderr()).contains("podguard needs Kubernetes 1.30 or newer (matchConditions, the preStop sleep action), "
                + "and Helm reports v1.20.0. With helm template (no cluster), Helm assumes a version of its own: "
                + "pass the cluster's, e.g. --kube-version 1.33");
        assertThat(helm.ok(List.of("template", "podguard", HelmBinary.CHART.toString(), "--kube-version", "1.30.0")))
                .contains("kind: Deployment");
    }

    @Test
    void templateWhenDefaultsThenExactlyTheseObjects() {
        assertThat(helm.template()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "ServiceAccount/podguard", "ConfigMap/podguard-policy", "ClusterRole/podguard", "ClusterRoleBinding/podguard",
                "Role/podguard", "RoleBinding/podguard", "Service/podguard", "Deployment/podguard",
                "PodDisruptionBudget/podguard", "MutatingWebhookConfiguration/podguard", "ValidatingWebhookConfiguration/podguard",
                "NetworkPolicy/podguard");
    }

    @ParameterizedTest
    @MethodSource("certificateModes")
    void templateWhenAnyModeThenEveryObjectCarriesTheStandardLabels(List<String> values) {
        for (HasMetadata o : helm.template(values.toArray(String[]::new))) {
            assertThat(o.getMetadata().getLabels()).as(o.getKind()).containsEntry("app.kubernetes.io/name", "podguard")
                    .containsEntry("app.kubernetes.io/instance", NAME).containsEntry("app.kubernetes.io/version", "0.1.0")
                    .containsEntry("app.kubernetes.io/managed-by", "Helm").containsEntry("app.kubernetes.io/part-of", "podguard")
                    .containsEntry("app.kubernetes.io/component", "admission-webhook").containsEntry("helm.sh/chart", "podguard-0.1.0");
        }
    }

    @Test
    void deploymentWhenDefaultsThenTwoSpreadReplicasAndABudgetOfOne() {
        List<HasMetadata> objects = helm.template();
        Deployment deployment = one(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertThat(selector).isEqualTo(Map.of("app.kubernetes.io/name", "podguard", "app.kubernetes.io/instance", NAME));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
                .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        assertThat(pod.getTopologySpreadConstraints()).allSatisfy(c -> {
            assertThat(c.getMaxSkew()).isEqualTo(1);
            assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(selector);
            assertThat(c.getMatchLabelKeys()).containsExactly("pod-template-hash");
        });
        assertThat(pod.getPriorityClassName()).isNull();

        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(selector);

        PodSpec critical = one(helm.template("--set", "priorityClassName=system-cluster-critical"), Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(critical.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(helm.template("--set", "podDisruptionBudget.enabled=false")).noneMatch(PodDisruptionBudget.class::isInstance);
    }

    @ParameterizedTest
    @MethodSource("certificateModes")
    void podWhenAnyModeThenARestrictedReadOnlyModel(List<String> values) {
        PodSpec pod = one(helm.template(values.toArray(String[]::new)), Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getHostNetwork()).isNull();
        assertThat(pod.getContainers()).hasSize(1);
        Container c = pod.getContainers().getFirst();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getPrivileged()).isNull();
        // A read-only root needs a writable /tmp (Tomcat, the JVM).
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
        assertThat(c.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsOnlyKeys("memory");
        assertThat(c.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort()).containsExactly("https=8443", "management=8081");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/livez");
        // Shutdown: the preStop sleep (the native action, no shell in the image), then Spring's graceful phase.
        assertThat(c.getLifecycle().getPreStop().getExec()).isNull();
        long preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
        assertThat(preStop).isEqualTo(10);
        long drain = Long.parseLong(arg(c, "--podguard.shutdown-drain-delay=").replace("s", ""));
        long shutdown = Long.parseLong(arg(c, "--spring.lifecycle.timeout-per-shutdown-phase=").replace("s", ""));
        assertThat(drain).isEqualTo(2);
        assertThat(shutdown).isEqualTo(25);
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45L).isGreaterThan(preStop + drain + shutdown);
        // The policy ConfigMap is mounted as a directory (a subPath mount never sees updates).
        assertThat(c.getArgs()).startsWith("serve", "--policy=/etc/podguard/policy/policy.yaml");
        assertThat(c.getVolumeMounts()).filteredOn(m -> m.getName().equals("policy")).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/podguard/policy");
            assertThat(m.getSubPath()).isNull();
        });
        assertThat(volume(pod, "policy").getConfigMap().getName()).isEqualTo("podguard-policy");
        assertThat(c.getVolumeMounts()).allSatisfy(m -> assertThat(m.getSubPath()).isNull());
    }

    @ParameterizedTest
    @MethodSource("certificateModes")
    void podWhenJudgedByPodguardAtRestrictedThenAllowed(List<String> values) {
        Deployment deployment = one(helm.template(values.toArray(String[]::new)), Deployment.class);
        ObjectNode tree = (ObjectNode) Json.mapper().readTree(Json.serialization().asJson(deployment));
        LevelVersion restricted = LevelVersion.parse("restricted", "latest");

        assertThat(violations(tree, restricted)).isEmpty();

        // The same template, made privileged, is denied: the judge above is awake.
        ((ObjectNode) tree.at("/spec/template/spec/containers/0/securityContext")).put("privileged", true);
        assertThat(violations(tree, restricted)).extracting(Violation::rule).contains("privileged");
    }

    @Test
    void serviceWhenDefaultsThen443ToTheHttpsPort() {
        Service service = one(helm.template(), Service.class);
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        ServicePort https = service.getSpec().getPorts().stream().filter(p -> p.getName().equals("https")).findFirst().orElseThrow();
        assertThat(service.getSpec().getPorts()).as("the management port is not in the webhook Service").containsExactly(https);
        assertThat(https.getPort()).isEqualTo(443);
        assertThat(https.getTargetPort().getStrVal()).isEqualTo("https");
        assertThat(service.getSpec().getSelector()).isEqualTo(Map.of("app.kubernetes.io/name", "podguard", "app.kubernetes.io/instance", NAME));
    }

    @Test
    void policyWhenDefaultsThenTheEmbeddedDefaultPolicyVerbatim() throws IOException {
        String embedded = Files.readString(EMBEDDED_POLICY);
        assertThat(Files.readString(HelmBinary.CHART.resolve("files/default-policy.yaml"))).isEqualTo(embedded);
        assertThat(configMap(helm.template()).getData()).containsExactly(Map.entry("policy.yaml", embedded));
    }

    @Test
    void policyWhenOverriddenThenConfigMapHoldsItAndFailurePolicyFollowsItsMode(@TempDir Path dir) throws IOException {
        Path audit = Files.writeString(dir.resolve("audit.yaml"), "mode: audit\npodSecurity:\n  level: baseline\n");
        List<HasMetadata> objects = helm.template("--set-file", "policy=" + audit);
        assertThat(configMap(objects).getData()).containsExactly(Map.entry("policy.yaml", "mode: audit\npodSecurity:\n  level: baseline\n"));
        assertThat(podsWebhook(objects).getFailurePolicy()).isEqualTo("Ignore");

        Path warn = Files.writeString(dir.resolve("warn.yaml"), "mode: warn\n");
        assertThat(podsWebhook(helm.template("--set-file", "policy=" + warn)).getFailurePolicy()).isEqualTo("Ignore");
        assertThat(podsWebhook(helm.template()).getFailurePolicy()).isEqualTo("Fail");
        assertThat(podsWebhook(helm.template("--set-file", "policy=" + audit, "--set", "webhooks.validating.failurePolicy=Fail"))
                .getFailurePolicy()).isEqualTo("Fail");
    }

    @Test
    void webhooksWhenDefaultsThenDoneRight() {
        List<HasMetadata> objects = helm.template();
        MutatingWebhookConfiguration mutating = one(objects, MutatingWebhookConfiguration.class);
        assertThat(mutating.getWebhooks()).singleElement().satisfies(w -> {
            assertThat(w.getName()).isEqualTo("mutate.podguard.io");
            assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(w.getSideEffects()).isEqualTo("None");
            assertThat(w.getTimeoutSeconds()).isEqualTo(5);
            assertThat(w.getMatchPolicy()).isEqualTo("Equivalent");
            assertThat(w.getReinvocationPolicy()).isEqualTo("IfNeeded");
            assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
            assertThat(w.getRules()).singleElement().satisfies(r -> {
                assertThat(r.getApiGroups()).containsExactly("");
                assertThat(r.getResources()).containsExactly("pods");
                assertThat(r.getOperations()).containsExactly("CREATE");
            });
            assertService(w.getClientConfig(), "/mutate");
            assertExclusions(w.getNamespaceSelector().getMatchExpressions(), NS);
            assertThat(w.getObjectSelector()).isNull();
            assertThat(w.getMatchConditions()).isNullOrEmpty();
        });

        ValidatingWebhookConfiguration validating = one(objects, ValidatingWebhookConfiguration.class);
        assertThat(validating.getWebhooks()).extracting(ValidatingWebhook::getName)
                .containsExactly("pods.validate.podguard.io", "workloads.validate.podguard.io", "pod-security-labels.namespaces.validate.podguard.io");
        assertThat(validating.getWebhooks().subList(0, 2)).allSatisfy(w -> {
            assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(w.getSideEffects()).isEqualTo("None");
            assertThat(w.getTimeoutSeconds()).isEqualTo(5);
            assertThat(w.getMatchPolicy()).isEqualTo("Equivalent");
            assertService(w.getClientConfig(), "/validate");
            assertExclusions(w.getNamespaceSelector().getMatchExpressions(), NS);
            assertThat(w.getRules()).allSatisfy(r -> assertThat(r.getOperations()).containsExactly("CREATE", "UPDATE"));
        });
        ValidatingWebhook pods = validating.getWebhooks().get(0);
        assertThat(pods.getFailurePolicy()).isEqualTo("Fail");
        assertThat(pods.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getApiGroups()).containsExactly("");
            assertThat(r.getResources()).containsExactly("pods", "pods/ephemeralcontainers", "pods/resize");
        });
        ValidatingWebhook workloads = validating.getWebhooks().get(1);
        assertThat(workloads.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(workloads.getRules()).flatExtracting(RuleWithOperations::getResources).containsExactlyInAnyOrderElementsOf(WORKLOAD_RESOURCES);
        assertThat(workloads.getRules()).extracting(r -> r.getApiGroups().getFirst() + ":" + String.join(",", r.getResources()))
                .containsExactly(":replicationcontrollers,podtemplates", "apps:deployments,statefulsets,daemonsets,replicasets", "batch:jobs,cronjobs");

        // The label dry run: Namespace creates and label changes, warnings only, so Ignore.
        ValidatingWebhook labels = validating.getWebhooks().get(2);
        assertThat(labels.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(labels.getSideEffects()).isEqualTo("None");
        assertThat(labels.getTimeoutSeconds()).isEqualTo(5);
        assertThat(labels.getNamespaceSelector()).isNull();
        assertThat(labels.getObjectSelector()).isNull();
        assertService(labels.getClientConfig(), "/namespaces/pod-security-labels");
        assertThat(labels.getMatchConditions()).singleElement().satisfies(c -> assertThat(c.getName()).isEqualTo("labels-changed"));
        assertThat(labels.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getApiGroups()).containsExactly("");
            assertThat(r.getResources()).containsExactly("namespaces");
            assertThat(r.getOperations()).containsExactly("CREATE", "UPDATE");
            assertThat(r.getScope()).isEqualTo("Cluster");
        });

        assertThat(one(helm.template("--set", "webhooks.validating.workloads=false", "--set", "webhooks.podSecurityLabels.enabled=false"),
                ValidatingWebhookConfiguration.class).getWebhooks()).extracting(ValidatingWebhook::getName).containsExactly("pods.validate.podguard.io");
        assertThat(one(helm.template("--set", "namespaceLabels.enabled=false"), ValidatingWebhookConfiguration.class).getWebhooks())
                .extracting(ValidatingWebhook::getName).doesNotContain("pod-security-labels.namespaces.validate.podguard.io");
    }

    @Test
    void webhooksWhenValuesTryToIncludeKubeSystemOrTheReleaseNamespaceThenTheyStayExcluded() {
        List<HasMetadata> objects = helm.template("--namespace", "guard",
                "--set", "webhooks.excludeNamespaces={monitoring}",
                "--set", "webhooks.namespaceSelector.matchExpressions[0].key=kubernetes.io/metadata.name",
                "--set", "webhooks.namespaceSelector.matchExpressions[0].operator=In",
                "--set", "webhooks.namespaceSelector.matchExpressions[0].values={kube-system,guard,team-a}",
                "--set", "webhooks.namespaceSelector.matchLabels.tier=apps",
                "--set", "webhooks.optOut.enabled=true", "--set", "webhooks.optOut.label=example.com/skip-podguard");
        for (List<LabelSelectorRequirement> expressions : allNamespaceSelectors(objects)) {
            // The user's In term is ANDed with the exclusions, which therefore still hold.
            assertThat(expressions).hasSize(3);
            assertThat(expressions.get(0).getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(expressions.get(0).getOperator()).isEqualTo("NotIn");
            assertThat(expressions.get(0).getValues()).containsExactly("kube-system", "guard", "monitoring");
            assertThat(expressions.get(1).getKey()).isEqualTo("example.com/skip-podguard");
            assertThat(expressions.get(1).getOperator()).isEqualTo("NotIn");
            assertThat(expressions.get(1).getValues()).containsExactly("true");
            assertThat(expressions.get(2).getOperator()).isEqualTo("In");
        }
        assertThat(one(objects, MutatingWebhookConfiguration.class).getWebhooks().getFirst().getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("tier", "apps"));
    }

    @Test
    void webhooksWhenObjectSelectorMatchConditionsAndEventsThenOnEveryWebhook() {
        List<HasMetadata> objects = helm.template(
                "--set", "webhooks.objectSelector.matchLabels.podguard=on",
                "--set", "webhooks.matchConditions[0].name=not-flux",
                "--set", "webhooks.matchConditions[0].expression=request.userInfo.username != 'system:serviceaccount:flux:kustomize'",
                "--set", "webhooks.timeoutSeconds=3",
                "--set", "events.enabled=true");
        MutatingWebhook m = one(objects, MutatingWebhookConfiguration.class).getWebhooks().getFirst();
        List<ValidatingWebhook> v = one(objects, ValidatingWebhookConfiguration.class).getWebhooks();
        assertThat(m.getObjectSelector().getMatchLabels()).isEqualTo(Map.of("podguard", "on"));
        assertThat(m.getMatchConditions()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("not-flux");
            assertThat(c.getExpression()).isEqualTo("request.userInfo.username != 'system:serviceaccount:flux:kustomize'");
        });
        assertThat(m.getSideEffects()).isEqualTo("NoneOnDryRun");
        assertThat(m.getTimeoutSeconds()).isEqualTo(3);
        // every webhook on pods and workloads; the Namespace webhooks keep their own selection
        assertThat(v).hasSize(3).last().satisfies(w -> {
            assertThat(w.getName()).isEqualTo("pod-security-labels.namespaces.validate.podguard.io");
            assertThat(w.getObjectSelector()).isNull();
            assertThat(w.getSideEffects()).isEqualTo("None");
            assertThat(w.getTimeoutSeconds()).isEqualTo(3);
        });
        assertThat(v.subList(0, 2)).allSatisfy(w -> {
            assertThat(w.getObjectSelector().getMatchLabels()).isEqualTo(Map.of("podguard", "on"));
            assertThat(w.getMatchConditions()).extracting(c -> c.getName()).containsExactly("not-flux");
            assertThat(w.getSideEffects()).isEqualTo("NoneOnDryRun");
            assertThat(w.getTimeoutSeconds()).isEqualTo(3);
        });
    }

    @ParameterizedTest
    @MethodSource("certificateModes")
    void rbacWhenAnyModeThenNoWildcardAnywhere(List<String> values) {
        List<String> everything = new ArrayList<>(values);
        everything.addAll(List.of("--set", "events.enabled=true", "--set", "backgroundAudit.enabled=true", "--set", "policyReports.enabled=true"));
        for (List<String> v : List.of(values, everything)) {
            for (PolicyRule rule : rules(helm.template(v.toArray(String[]::new)))) {
                Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs(), rule.getResourceNames())
                        .filter(l -> l != null).flatMap(List::stream)
                        .forEach(s -> assertThat(s).as("rule %s", rule).doesNotContain("*"));
                assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            }
        }
    }

    @Test
    void rbacWhenSelfManagedThenOnlyTheOneSecretAndTheTwoConfigurationsByName() {
        List<HasMetadata> objects = helm.template();
        Role role = one(objects, Role.class);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(NS);
        assertThat(role.getRules()).extracting(ChartIT::describe).containsExactly(
                ":secrets [] create", ":secrets [podguard-tls] get,update",
                "coordination.k8s.io:leases [] create", "coordination.k8s.io:leases [podguard] get,update,patch");
        assertThat(one(objects, ClusterRole.class).getRules()).extracting(ChartIT::describe).containsExactly(
                "admissionregistration.k8s.io:mutatingwebhookconfigurations [podguard] get,update",
                "admissionregistration.k8s.io:validatingwebhookconfigurations [podguard] get,update",
                ":pods [] list",
                ":namespaces [] get,list,watch",
                ":limitranges,resourcequotas [] get,list,watch");
        // pods are listed for the label dry run only: without it (or without namespace labels), no list on pods
        assertThat(one(helm.template("--set", "webhooks.podSecurityLabels.enabled=false"), ClusterRole.class).getRules())
                .noneMatch(r -> r.getResources().contains("pods"));
        assertThat(container(objects).getArgs()).contains("--podguard.namespace-resources.watch=always");
        assertThat(container(helm.template("--set", "namespaceResources.enabled=false")).getArgs())
                .contains("--podguard.namespace-resources.watch=never");
        assertThat(one(helm.template("--set", "namespaceResources.enabled=false"), ClusterRole.class).getRules())
                .noneMatch(r -> r.getResources().contains("limitranges"));
    }

    @Test
    void rbacWhenFeaturesAreSwitchedThenExactlyTheirRules() {
        assertThat(one(helm.template("--set", "events.enabled=true", "--set", "backgroundAudit.enabled=true",
                "--set", "policyReports.enabled=true"), ClusterRole.class).getRules()).extracting(ChartIT::describe).containsExactly(
                "admissionregistration.k8s.io:mutatingwebhookconfigurations [podguard] get,update",
                "admissionregistration.k8s.io:validatingwebhookconfigurations [podguard] get,update",
                "events.k8s.io:events [] create",
                ":pods [] list",
                ":namespaces [] get,list,watch",
                ":limitranges,resourcequotas [] get,list,watch",
                "wgpolicyk8s.io:policyreports [] get,list,create,update,delete");
        // PolicyReports come from the background audit: without it, no rights for them.
        assertThat(one(helm.template("--set", "policyReports.enabled=true"), ClusterRole.class).getRules())
                .noneMatch(r -> r.getResources().contains("policyreports"));
        assertThat(container(helm.template("--set", "backgroundAudit.enabled=true", "--set", "webhooks.excludeNamespaces={monitoring}")).getArgs())
                .contains("--podguard.events.enabled=false", "--podguard.audit.enabled=true", "--podguard.audit.policy-reports=false",
                        "--podguard.audit.exclude-namespaces=kube-system,podguard-system,monitoring");

        // Nothing that talks to the API: no roles at all, and no token in the pod.
        List<HasMetadata> none = helm.template("--set", "certificates.mode=helm", "--set", "namespaceLabels.enabled=false",
                "--set", "namespaceResources.enabled=false");
        assertThat(none).noneMatch(o -> o.getKind().endsWith("Role") || o.getKind().endsWith("RoleBinding"));
        assertThat(one(none, Deployment.class).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(one(helm.template(), Deployment.class).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isTrue();
        assertThat(helm.template("--set", "rbac.create=false")).noneMatch(o -> o.getKind().endsWith("Role") || o.getKind().endsWith("RoleBinding"));
    }

    @Test
    void leaderElectionWhenTheAuditOrSelfManagedCertificatesRunThenOneLeaseAndTheSharedAuditByName() {
        List<HasMetadata> audit = helm.template("--set", "certificates.mode=helm", "--set", "backgroundAudit.enabled=true",
                "--set", "leaderElection.leaseDuration=20s", "--set", "leaderElection.renewDeadline=12s", "--set", "leaderElection.retryPeriod=3s");
        assertThat(one(audit, Role.class).getRules()).extracting(ChartIT::describe).containsExactly(
                "coordination.k8s.io:leases [] create", "coordination.k8s.io:leases [podguard] get,update,patch",
                ":configmaps [] create", ":configmaps [podguard-audit] get,update");
        assertThat(container(audit).getArgs()).contains("--podguard.leader-election.enabled=true",
                "--podguard.leader-election.lease-name=podguard", "--podguard.leader-election.lease-duration=20s",
                "--podguard.leader-election.renew-deadline=12s", "--podguard.leader-election.retry-period=3s");

        // Nothing runs once per cluster, or leader election switched off: no Lease, and podguard told so.
        for (List<HasMetadata> off : List.of(helm.template("--set", "certificates.mode=helm"),
                helm.template("--set", "backgroundAudit.enabled=true", "--set", "leaderElection.enabled=false"))) {
            assertThat(rules(off)).noneMatch(r -> r.getResources().contains("leases") || r.getResources().contains("configmaps"));
            assertThat(container(off).getArgs()).contains("--podguard.leader-election.enabled=false")
                    .noneMatch(a -> a.startsWith("--podguard.leader-election.lease"));
        }
        // The Lease stores whole seconds.
        HelmBinary.Run fractional = helm.run(List.of("template", "podguard", HelmBinary.CHART.toString(), "--set", "leaderElection.leaseDuration=1.5s"));
        assertThat(fractional.exitCode()).isNotZero();
        assertThat(fractional.stderr()).contains("/leaderElection/leaseDuration");
    }

    @Test
    void certificatesWhenSelfThenPodguardManagesThemWithTheseSettings() {
        List<HasMetadata> objects = helm.template();
        Container c = container(objects);
        assertThat(c.getArgs()).contains(
                "--cert-dir=/var/run/podguard/certs",
                "--podguard.certs.managed.enabled=true",
                "--podguard.certs.managed.namespace=podguard-system",
                "--podguard.certs.managed.secret-name=podguard-tls",
                "--podguard.certs.managed.mutating-webhook-configuration=podguard",
                "--podguard.certs.managed.validating-webhook-configuration=podguard",
                "--podguard.certs.managed.dns-names=podguard,podguard.podguard-system,podguard.podguard-system.svc,podguard.podguard-system.svc.cluster.local",
                "--podguard.certs.managed.ca-validity=87600h",
                "--podguard.certs.managed.serving-validity=8760h",
                "--dns-name=podguard.podguard-system.svc");
        assertThat(c.getArgs()).noneMatch(a -> a.startsWith("--tls-cert"));
        PodSpec pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(volume(pod, "certs").getEmptyDir().getMedium()).isEqualTo("Memory");
        // helm template has no cluster to look up: nothing injected yet, podguard does it.
        assertThat(allClientConfigs(objects)).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isNull());
        assertThat(objects).noneMatch(Secret.class::isInstance);
    }

    @Test
    void certificatesWhenCertManagerThenCertificateAndInjectionAnnotations() {
        List<HasMetadata> objects = helm.template("--set", "certificates.mode=cert-manager");
        List<GenericKubernetesResource> cm = objects.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).toList();
        assertThat(cm).extracting(o -> o.getApiVersion() + " " + o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "cert-manager.io/v1 Issuer/podguard-selfsigned", "cert-manager.io/v1 Certificate/podguard-ca",
                "cert-manager.io/v1 Issuer/podguard-ca", "cert-manager.io/v1 Certificate/podguard-serving");
        GenericKubernetesResource serving = named(cm, "Certificate", "podguard-serving");
        JsonNode spec = Json.mapper().valueToTree(serving.getAdditionalProperties().get("spec"));
        assertThat(spec.get("secretName").asString()).isEqualTo("podguard-tls");
        assertThat(spec.get("dnsNames").values()).extracting(JsonNode::asString).containsExactly(
                "podguard", "podguard.podguard-system", "podguard.podguard-system.svc", "podguard.podguard-system.svc.cluster.local");
        assertThat(spec.get("issuerRef").get("name").asString()).isEqualTo("podguard-ca");
        // ECDSA P-256, a fresh key at every renewal; key encipherment is for RSA keys only.
        assertThat(spec.get("privateKey").toString()).isEqualTo("{\"algorithm\":\"ECDSA\",\"size\":256,\"rotationPolicy\":\"Always\"}");
        assertThat(spec.get("usages").values()).extracting(JsonNode::asString).containsExactly("server auth", "digital signature");
        assertThat(Json.mapper().valueToTree(named(cm, "Certificate", "podguard-ca").getAdditionalProperties().get("spec")).get("isCA").asBoolean()).isTrue();
        assertThat(Stream.of(one(objects, MutatingWebhookConfiguration.class), one(objects, ValidatingWebhookConfiguration.class)))
                .allSatisfy(o -> assertThat(o.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", "podguard-system/podguard-serving"));
        assertThat(allClientConfigs(objects)).allSatisfy(cc -> assertThat(cc.getCaBundle()).isNull());
        assertServesFromSecret(objects, "podguard-tls");
        assertThat(objects).noneMatch(Role.class::isInstance);

        List<HasMetadata> external = helm.template("--set", "certificates.mode=cert-manager",
                "--set", "certificates.certManager.issuerRef.name=corp-ca", "--set", "certificates.certManager.issuerRef.kind=ClusterIssuer");
        List<GenericKubernetesResource> onlyServing = external.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).toList();
        assertThat(onlyServing).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactly("Certificate/podguard-serving");
        assertThat(Json.mapper().valueToTree(onlyServing.getFirst().getAdditionalProperties().get("spec")).get("issuerRef").toString())
                .isEqualTo("{\"kind\":\"ClusterIssuer\",\"name\":\"corp-ca\"}");

        // Where a policy demands RSA.
        JsonNode rsa = Json.mapper().valueToTree(named(helm.template("--set", "certificates.mode=cert-manager",
                "--set", "certificates.certManager.privateKey.algorithm=RSA", "--set", "certificates.certManager.privateKey.size=3072").stream()
                .filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast).toList(), "Certificate", "podguard-serving")
                .getAdditionalProperties().get("spec"));
        assertThat(rsa.get("privateKey").toString()).isEqualTo("{\"algorithm\":\"RSA\",\"size\":3072,\"rotationPolicy\":\"Always\"}");
        assertThat(rsa.get("usages").values()).extracting(JsonNode::asString).containsExactly("server auth", "digital signature", "key encipherment");
        HelmBinary.Run badSize = helm.run(List.of("template", "podguard", HelmBinary.CHART.toString(), "--kube-version", "1.33",
                "--set", "certificates.mode=cert-manager", "--set", "certificates.certManager.privateKey.size=1024"));
        assertThat(badSize.exitCode()).isEqualTo(1);
        assertThat(badSize.stderr()).contains("at '/certificates/certManager/privateKey/size': value must be one of 256, 384");
    }

    @Test
    void certificatesWhenHelmThenGeneratedCaInEveryWebhookAndASignedServingCertificate() {
        List<HasMetadata> objects = helm.template("--set", "certificates.mode=helm");
        Secret secret = one(objects, Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo("podguard-tls");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        String caBundle = secret.getData().get("ca.crt");
        assertThat(allClientConfigs(objects)).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(caBundle));
        X509Certificate ca = CertificateSet.certificates(decode(caBundle), "ca.crt").getFirst();
        X509Certificate serving = CertificateSet.certificates(decode(secret.getData().get("tls.crt")), "tls.crt").getFirst();
        assertThat(names(serving)).containsExactlyInAnyOrder("podguard", "podguard.podguard-system", "podguard.podguard-system.svc",
                "podguard.podguard-system.svc.cluster.local");
        assertThat(verifies(serving, ca)).isTrue();
        assertThat(CertificateSet.fromPem(decode(secret.getData().get("tls.key")))).isNotNull();
        // Helm's genPrivateKey "ecdsa": P-256 for the CA and the serving certificate, and the key is the certificate's.
        assertThat(KeyTypes.describe(ca.getPublicKey())).isEqualTo("ECDSA P-256");
        assertThat(KeyTypes.describe(serving.getPublicKey())).isEqualTo("ECDSA P-256");
        assertThat(serving.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(KeyTypes.matches(serving.getPublicKey(), CertificateSet.fromPem(decode(secret.getData().get("tls.key"))))).isTrue();

        Secret rsa = one(helm.template("--set", "certificates.mode=helm", "--set", "certificates.helm.keyAlgorithm=rsa"), Secret.class);
        X509Certificate rsaServing = CertificateSet.certificates(decode(rsa.getData().get("tls.crt")), "tls.crt").getFirst();
        assertThat(KeyTypes.describe(rsaServing.getPublicKey())).isEqualTo("RSA 2048");
        assertThat(rsaServing.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertServesFromSecret(objects, "podguard-tls");
        // The pods restart when the certificates change (only then: a second render in a cluster reuses them).
        assertThat(one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/tls");
    }

    @Test
    void certificatesWhenExistingSecretThenMountedAndTheGivenCaBundleInjected() {
        List<HasMetadata> objects = helm.template("--set", "certificates.mode=secret", "--set", "certificates.existingSecret=corp-serving",
                "--set", "certificates.caBundle=" + CA_BUNDLE);
        assertThat(allClientConfigs(objects)).hasSize(4).allSatisfy(cc -> assertThat(cc.getCaBundle()).isEqualTo(CA_BUNDLE));
        assertServesFromSecret(objects, "corp-serving");
        assertThat(objects).noneMatch(Secret.class::isInstance);

        HelmBinary.Run missing = helm.run(List.of("template", "podguard", HelmBinary.CHART.toString(), "--set", "certificates.mode=secret"));
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("at '/certificates/existingSecret': minLength: got 0, want 1")
                .contains("at '/certificates/caBundle': minLength: got 0, want 1");
    }

    @Test
    void schemaWhenValuesAreWrongThenHelmRefusesWithTheField() {
        HelmBinary.Run run = helm.run(List.of("template", "podguard", HelmBinary.CHART.toString(), "--set", "replicaCount=0",
                "--set", "webhooks.timeoutSeconds=31", "--set", "certificates.mode=vault", "--set", "webhooks.mutating.failurePolicy=fail",
                "--set", "replicas=3"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("at '/replicaCount': minimum: got 0, want 1")
                .contains("at '/webhooks/timeoutSeconds': maximum: got 31, want 30")
                .contains("at '/certificates/mode': value must be one of 'self', 'cert-manager', 'helm', 'secret'")
                .contains("at '/webhooks/mutating/failurePolicy': value must be one of 'Fail', 'Ignore'")
                .contains("additional properties 'replicas' not allowed");
    }

    // ---------------------------------------------------------------------------------------

    static List<Violation> violations(ObjectNode deployment, LevelVersion level) {
        PodObject pod = PodExtractor.extract("Deployment", deployment).orElseThrow();
        return io.podguard.engine.pss.PodSecurityKind.INSTANCE.evaluator().evaluate(level, pod);
    }

    static void assertServesFromSecret(List<HasMetadata> objects, String secretName) {
        PodSpec pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(volume(pod, "tls").getSecret().getSecretName()).isEqualTo(secretName);
        Container c = pod.getContainers().getFirst();
        assertThat(c.getArgs()).contains("--tls-cert=/etc/podguard/tls/tls.crt", "--tls-key=/etc/podguard/tls/tls.key");
        assertThat(c.getArgs()).noneMatch(a -> a.startsWith("--podguard.certs.managed"));
    }

    static void assertService(WebhookClientConfig config, String path) {
        assertThat(config.getUrl()).isNull();
        assertThat(config.getService().getName()).isEqualTo("podguard");
        assertThat(config.getService().getNamespace()).isEqualTo(NS);
        assertThat(config.getService().getPath()).isEqualTo(path);
        assertThat(config.getService().getPort()).isEqualTo(443);
    }

    static void assertExclusions(List<LabelSelectorRequirement> expressions, String releaseNamespace) {
        assertThat(expressions).extracting(e -> e.getKey() + " " + e.getOperator() + " " + e.getValues()).containsExactly(
                "kubernetes.io/metadata.name NotIn [kube-system, " + releaseNamespace + "]");
    }

    static List<List<LabelSelectorRequirement>> allNamespaceSelectors(List<HasMetadata> objects) {
        List<List<LabelSelectorRequirement>> all = new ArrayList<>();
        one(objects, MutatingWebhookConfiguration.class).getWebhooks().forEach(w -> all.add(w.getNamespaceSelector().getMatchExpressions()));
        one(objects, ValidatingWebhookConfiguration.class).getWebhooks().stream().filter(w -> !w.getName().endsWith(".namespaces.validate.podguard.io"))
                .forEach(w -> all.add(w.getNamespaceSelector().getMatchExpressions()));
        assertThat(all).hasSize(3);
        return all;
    }

    static List<WebhookClientConfig> allClientConfigs(List<HasMetadata> objects) {
        List<WebhookClientConfig> all = new ArrayList<>();
        one(objects, MutatingWebhookConfiguration.class).getWebhooks().forEach(w -> all.add(w.getClientConfig()));
        one(objects, ValidatingWebhookConfiguration.class).getWebhooks().forEach(w -> all.add(w.getClientConfig()));
        return all;
    }

    static ValidatingWebhook podsWebhook(List<HasMetadata> objects) {
        return one(objects, ValidatingWebhookConfiguration.class).getWebhooks().getFirst();
    }

    static List<PolicyRule> rules(List<HasMetadata> objects) {
        List<PolicyRule> rules = new ArrayList<>();
        objects.stream().filter(ClusterRole.class::isInstance).forEach(r -> rules.addAll(((ClusterRole) r).getRules()));
        objects.stream().filter(Role.class::isInstance).forEach(r -> rules.addAll(((Role) r).getRules()));
        return rules;
    }

    static String describe(PolicyRule r) {
        return String.join(",", r.getApiGroups()) + ":" + String.join(",", r.getResources())
                + " " + (r.getResourceNames() == null ? List.of() : r.getResourceNames()) + " " + String.join(",", r.getVerbs());
    }

    static io.fabric8.kubernetes.api.model.ConfigMap configMap(List<HasMetadata> objects) {
        return one(objects, io.fabric8.kubernetes.api.model.ConfigMap.class);
    }

    static GenericKubernetesResource named(List<GenericKubernetesResource> objects, String kind, String name) {
        return objects.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    static Container container(List<HasMetadata> objects) {
        return one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.getVolumes()));
    }

    static String arg(Container c, String prefix) {
        return c.getArgs().stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no argument " + prefix + " in " + c.getArgs()));
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    static Set<String> names(X509Certificate certificate) {
        Set<String> names = new TreeSet<>();
        try {
            certificate.getSubjectAlternativeNames().forEach(san -> names.add(String.valueOf(san.get(1))));
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    static boolean verifies(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

}
