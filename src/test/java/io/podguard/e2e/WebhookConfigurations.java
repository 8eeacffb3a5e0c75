package io.podguard.e2e;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The MutatingWebhookConfiguration and ValidatingWebhookConfiguration that register podguard,
 * shaped as the Helm chart renders them (webhook names, rules, selectors, timeouts), with the
 * URL of a podguard process on loopback instead of a Service. Everything about their shape is in
 * this one class, so the chart's rendered YAML can take its place.
 */
final class WebhookConfigurations {

    static final String CONFIGURATION_NAME = "podguard";
    static final String MUTATING_WEBHOOK = "mutate.podguard.io";
    static final String VALIDATING_WEBHOOK = "validate.podguard.io";
    /** A namespace labelled {@code podguard.io/ignore: "true"} is not sent to podguard at all. */
    static final String OPT_OUT_LABEL = "podguard.io/ignore";
    /** The namespaces never sent to podguard: the control plane's (and, in a cluster, podguard's own). */
    static final List<String> EXCLUDED_NAMESPACES = List.of("kube-system");

    enum FailurePolicy {
        Fail, Ignore
    }

    private WebhookConfigurations() {
    }

    static MutatingWebhookConfiguration mutating(String baseUrl, String caBundle, FailurePolicy failurePolicy) {
        return new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIGURATION_NAME).addToLabels("app.kubernetes.io/name", "podguard").endMetadata()
                .addNewWebhook()
                    .withName(MUTATING_WEBHOOK)
                    .withAdmissionReviewVersions("v1")
                    .withNewClientConfig().withUrl(baseUrl + "/mutate").withCaBundle(caBundle).endClientConfig()
                    .withSideEffects("None")
                    .withTimeoutSeconds(5)
                    .withFailurePolicy(failurePolicy.name())
                    .withMatchPolicy("Equivalent")
                    // Sidecars injected by webhooks that run after podguard get defaults too.
                    .withReinvocationPolicy("IfNeeded")
                    .withNamespaceSelector(namespaceSelector())
                    .withRules(rule("", List.of("pods"), List.of("CREATE")))
                .endWebhook()
                .build();
    }

    static ValidatingWebhookConfiguration validating(String baseUrl, String caBundle, FailurePolicy failurePolicy) {
        return new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIGURATION_NAME).addToLabels("app.kubernetes.io/name", "podguard").endMetadata()
                .addNewWebhook()
                    .withName(VALIDATING_WEBHOOK)
                    .withAdmissionReviewVersions("v1")
                    .withNewClientConfig().withUrl(baseUrl + "/validate").withCaBundle(caBundle).endClientConfig()
                    // Events are recorded for real requests only.
                    .withSideEffects("NoneOnDryRun")
                    .withTimeoutSeconds(5)
                    .withFailurePolicy(failurePolicy.name())
                    .withMatchPolicy("Equivalent")
                    .withNamespaceSelector(namespaceSelector())
                    .withRules(
                            rule("", List.of("pods", "pods/ephemeralcontainers"), List.of("CREATE", "UPDATE")),
                            rule("", List.of("replicationcontrollers", "podtemplates"), List.of("CREATE", "UPDATE")),
                            rule("apps", List.of("deployments", "replicasets", "statefulsets", "daemonsets"), List.of("CREATE", "UPDATE")),
                            rule("batch", List.of("jobs", "cronjobs"), List.of("CREATE", "UPDATE")))
                .endWebhook()
                .build();
    }

    private static LabelSelector namespaceSelector() {
        return new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("kubernetes.io/metadata.name").withOperator("NotIn")
                    .withValues(EXCLUDED_NAMESPACES).endMatchExpression()
                .addNewMatchExpression().withKey(OPT_OUT_LABEL).withOperator("NotIn").withValues("true").endMatchExpression()
                .build();
    }

    private static RuleWithOperations rule(String group, List<String> resources, List<String> operations) {
        return new RuleWithOperationsBuilder()
                .withApiGroups(group)
                .withApiVersions("*")
                .withResources(resources)
                .withOperations(operations)
                .withScope("Namespaced")
                .build();
    }

    /** Registers {@code podguard} and waits until the apiserver calls it on both webhooks. */
    static void register(KubernetesClient client, Podguard podguard, FailurePolicy failurePolicy) {
        apply(client, podguard.baseUrl(), podguard.caBundle(), failurePolicy);
        awaitCalled(client, podguard);
    }

    /** Creates or replaces both configurations; the apiserver picks them up shortly after. */
    static void apply(KubernetesClient client, String baseUrl, String caBundle, FailurePolicy failurePolicy) {
        client.resource(mutating(baseUrl, caBundle, failurePolicy)).forceConflicts().serverSideApply();
        client.resource(validating(baseUrl, caBundle, failurePolicy)).forceConflicts().serverSideApply();
    }

    static void delete(KubernetesClient client) {
        if (client == null) {
            return; // the cluster never started: that failure is the one to report
        }
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIGURATION_NAME).delete();
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName(CONFIGURATION_NAME).delete();
    }

    /**
     * The apiserver reads webhook configurations through an informer: a change takes effect a
     * moment after it is stored. Dry-run pod creates until {@code podguard} has answered a review
     * on each webhook since the change.
     */
    static void awaitCalled(KubernetesClient client, Podguard podguard) {
        String namespace = Namespaces.probe(client);
        double mutated = podguard.reviews("mutate");
        double validated = podguard.reviews("validate");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (podguard.reviews("mutate") <= mutated || podguard.reviews("validate") <= validated) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the apiserver did not call podguard within 60 s of registering it:\n" + podguard.log());
            }
            try {
                client.pods().inNamespace(namespace).resource(probePod()).dryRun().create();
            } catch (KubernetesClientException e) {
                // denied or not reachable yet: only podguard's counters tell
            }
            Podguard.sleep(100);
        }
    }

    private static Pod probePod() {
        return Manifests.restrictedPod("probe");
    }
}
