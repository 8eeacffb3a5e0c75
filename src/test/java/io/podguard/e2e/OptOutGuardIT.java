package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The opt-out label on a real apiserver, with the webhook configurations the chart renders for
 * {@code webhooks.optOut.enabled=true, namespaces=[SANDBOX]}: whoever may label a namespace can
 * no longer take it out of podguard's policy; the one namespace allowed to opt out can, and its
 * pods are then not judged.
 */
class OptOutGuardIT extends ClusterTest {

    private static final String LABEL = "podguard.io/ignore";
    private static final String SANDBOX = "sandbox-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
    private static Podguard podguard;
    private static String team;

    @BeforeAll
    static void register() {
        podguard = Podguard.start("optout", Policies.ENFORCE_BASELINE,
                List.of("--podguard.webhooks.opt-out-label=" + LABEL, "--podguard.webhooks.opt-out-namespaces=" + SANDBOX));
        List<HasMetadata> rendered = HelmBinary.locate().template("--set", "webhooks.optOut.enabled=true",
                "--set", "webhooks.optOut.namespaces={" + SANDBOX + "}");
        MutatingWebhookConfiguration mutating = ChartIT.one(rendered, MutatingWebhookConfiguration.class);
        for (MutatingWebhook w : mutating.getWebhooks()) {
            w.setClientConfig(WebhookConfigurations.onLoopback(w.getClientConfig(), podguard.baseUrl(), podguard.caBundle()));
        }
        ValidatingWebhookConfiguration validating = ChartIT.one(rendered, ValidatingWebhookConfiguration.class);
        for (ValidatingWebhook w : validating.getWebhooks()) {
            w.setClientConfig(WebhookConfigurations.onLoopback(w.getClientConfig(), podguard.baseUrl(), podguard.caBundle()));
        }
        client.resource(mutating).forceConflicts().serverSideApply();
        client.resource(validating).forceConflicts().serverSideApply();
        WebhookConfigurations.awaitCalled(client, podguard);
        team = Namespaces.create(client, "team");
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
        if (podguard != null) {
            podguard.stop();
        }
    }

    @Test
    void labelWhenNamespaceMayNotOptOutThenRefusedOnCreateAndOnLabel() {
        String expected = "admission webhook \"optout.namespaces.validate.podguard.io\" denied the request: namespace \"%s\" may not carry"
                + " the label podguard.io/ignore=true: it would take the namespace out of podguard's policy; only " + SANDBOX
                + " may (the podguard chart's webhooks.optOut.namespaces)";
        String fresh = "fresh-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);

        KubernetesClientException created = catchThrowableOfType(KubernetesClientException.class, () -> client.namespaces()
                .resource(new NamespaceBuilder().withNewMetadata().withName(fresh).addToLabels(LABEL, "true").endMetadata().build()).create());
        KubernetesClientException labelled = catchThrowableOfType(KubernetesClientException.class, () -> client.namespaces().withName(team)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"" + LABEL + "\":\"true\"}}}"));

        assertThat(created.getCode()).isEqualTo(403);
        assertThat(created.getStatus().getMessage()).isEqualTo(expected.formatted(fresh));
        assertThat(labelled.getCode()).isEqualTo(403);
        assertThat(labelled.getStatus().getMessage()).isEqualTo(expected.formatted(team));
        assertThat(client.namespaces().withName(team).get().getMetadata().getLabels()).doesNotContainKey(LABEL);
        KubernetesClientException judged = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(team).resource(Manifests.privilegedPod("still-judged")).create());
        assertThat(judged.getStatus().getMessage()).startsWith("admission webhook \"pods.validate.podguard.io\" denied the request: violates PodSecurity \"baseline:latest\"");
    }

    @Test
    void labelWhenNamespaceMayOptOutThenAcceptedAndItsPodsNotJudged() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(SANDBOX).addToLabels(LABEL, "true").endMetadata().build())
                .create();
        // the apiserver's namespace informer sees the label a moment later
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                client.pods().inNamespace(SANDBOX).resource(Manifests.privilegedPod("not-judged")).create();
                break;
            } catch (KubernetesClientException e) {
                assertThat(Instant.now()).as("privileged pod admitted in the opted-out namespace: %s", e.getMessage()).isBefore(deadline);
                Podguard.sleep(200);
            }
        }
        assertThat(client.pods().inNamespace(SANDBOX).withName("not-judged").get().getSpec().getContainers().getFirst()
                .getSecurityContext().getPrivileged()).isTrue();
        // and the label can be taken off again
        client.namespaces().withName(SANDBOX).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"" + LABEL + "\":null}}}");
        assertThat(client.namespaces().withName(SANDBOX).get().getMetadata().getLabels()).doesNotContainKey(LABEL);
    }
}
