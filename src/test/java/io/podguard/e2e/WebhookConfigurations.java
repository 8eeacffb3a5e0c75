package io.podguard.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The MutatingWebhookConfiguration and ValidatingWebhookConfiguration that register podguard: the
 * ones the Helm chart renders ({@code helm template} of {@code charts/podguard} with its default
 * values), with each webhook's {@code clientConfig.service} replaced by the URL of a podguard
 * process on loopback and its {@code caBundle}, and the failurePolicy a test asks for. Everything
 * about their shape comes from the chart through this one class.
 */
final class WebhookConfigurations {

    static final String MUTATING_WEBHOOK = "mutate.podguard.io";
    /** The chart's webhook for pods (its workloads get {@code workloads.validate.podguard.io}). */
    static final String VALIDATING_WEBHOOK = "pods.validate.podguard.io";
    /** A namespace labelled {@code podguard.io/ignore: "true"} is not sent to podguard at all (the chart's default). */
    static final String OPT_OUT_LABEL = "podguard.io/ignore";
    /**
     * Namespaces labelled with it ({@code =true}) are not sent to podguard: a term of the chart's
     * {@code webhooks.namespaceSelector}, as a user would add one (the opt-out label is off by default).
     */
    static final String UNWATCHED_LABEL = "e2e.podguard.io/unwatched";

    enum FailurePolicy {
        Fail, Ignore
    }

    private static List<HasMetadata> rendered;

    private WebhookConfigurations() {
    }

    /**
     * {@code helm template} once per run: the chart's objects as a default install renders them,
     * with one namespaceSelector term for {@link #UNWATCHED_LABEL}.
     */
    private static synchronized <T extends HasMetadata> T rendered(Class<T> kind) {
        if (rendered == null) {
            rendered = HelmBinary.locate().template("--set", "webhooks.namespaceSelector.matchExpressions[0].key=" + UNWATCHED_LABEL,
                    "--set", "webhooks.namespaceSelector.matchExpressions[0].operator=DoesNotExist");
        }
        return rendered.stream().filter(kind::isInstance).map(kind::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("the chart renders no " + kind.getSimpleName()));
    }

    static MutatingWebhookConfiguration mutating(String baseUrl, String caBundle, FailurePolicy failurePolicy) {
        MutatingWebhookConfiguration configuration = new MutatingWebhookConfigurationBuilder(rendered(MutatingWebhookConfiguration.class))
                .build();
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            webhook.setClientConfig(onLoopback(webhook.getClientConfig(), baseUrl, caBundle));
            webhook.setFailurePolicy(failurePolicy.name());
        }
        return configuration;
    }

    static ValidatingWebhookConfiguration validating(String baseUrl, String caBundle, FailurePolicy failurePolicy) {
        ValidatingWebhookConfiguration configuration = new ValidatingWebhookConfigurationBuilder(
                rendered(ValidatingWebhookConfiguration.class)).build();
        for (ValidatingWebhook webhook : configuration.getWebhooks()) {
            webhook.setClientConfig(onLoopback(webhook.getClientConfig(), baseUrl, caBundle));
            if (!webhook.getName().endsWith(".namespaces.validate.podguard.io")) {
                // the Namespace webhooks keep the chart's failurePolicy: each concern has its own
                webhook.setFailurePolicy(failurePolicy.name());
            }
        }
        return configuration;
    }

    /** No Service network here: the same path on podguard's loopback URL. */
    static WebhookClientConfig onLoopback(WebhookClientConfig rendered, String baseUrl, String caBundle) {
        String path = rendered.getService() != null ? rendered.getService().getPath() : URI.create(rendered.getUrl()).getPath();
        return new WebhookClientConfigBuilder().withUrl(baseUrl + path).withCaBundle(caBundle).build();
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

    /** As {@link #apply}, with every pod and workload webhook given {@code timeoutSeconds}. */
    static void apply(KubernetesClient client, String baseUrl, String caBundle, FailurePolicy failurePolicy, int timeoutSeconds) {
        MutatingWebhookConfiguration mutating = mutating(baseUrl, caBundle, failurePolicy);
        mutating.getWebhooks().forEach(w -> w.setTimeoutSeconds(timeoutSeconds));
        ValidatingWebhookConfiguration validating = validating(baseUrl, caBundle, failurePolicy);
        validating.getWebhooks().stream().filter(w -> !w.getName().endsWith(".namespaces.validate.podguard.io"))
                .forEach(w -> w.setTimeoutSeconds(timeoutSeconds));
        client.resource(mutating).forceConflicts().serverSideApply();
        client.resource(validating).forceConflicts().serverSideApply();
    }

    static void delete(KubernetesClient client) {
        if (client == null) {
            return; // the cluster never started: that failure is the one to report
        }
        client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(rendered(MutatingWebhookConfiguration.class).getMetadata().getName()).delete();
        client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(rendered(ValidatingWebhookConfiguration.class).getMetadata().getName()).delete();
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
