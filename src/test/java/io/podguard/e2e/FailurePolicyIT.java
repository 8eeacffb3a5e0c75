package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * podguard down: {@code failurePolicy: Fail} blocks pods, {@code Ignore} admits them, and the
 * namespaces the configurations exclude (kube-system) work either way. The opt-out label is off
 * by default: a namespace that carries it is judged like any other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailurePolicyIT extends ClusterTest {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static Podguard podguard;
    private static String ns;
    private static String optedOut;

    @BeforeAll
    static void registerThenStop() {
        podguard = Podguard.start("stopped", Policies.ENFORCE_BASELINE);
        WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
        podguard.stop();
        ns = Namespaces.create(client, "down");
        optedOut = Namespaces.create(client, "optout", Map.of(WebhookConfigurations.OPT_OUT_LABEL, "true"));
        // the label does nothing unless the opt-out is configured: this namespace is not excluded
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
    }

    @Test
    @Order(1)
    void failWhenPodguardDownThenPodRefusedWithWebhookError() {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(Manifests.restrictedPod("blocked")).create());

        assertThat(e.getCode()).isEqualTo(500);
        assertThat(e.getStatus().getMessage()).isEqualTo("Internal error occurred: failed calling webhook \"mutate.podguard.io\": "
                + "failed to call webhook: Post \"" + podguard.baseUrl() + "/mutate?timeout=5s\": dial tcp 127.0.0.1:"
                + podguard.port() + ": connect: connection refused");
        assertThat(client.pods().inNamespace(ns).withName("blocked").get()).isNull();
    }

    @Test
    @Order(2)
    void failWhenPodguardDownThenExcludedNamespacesStillAdmitPods() {
        assertExcludedNamespacesAdmit();
    }

    @Test
    @Order(2)
    void failWhenPodguardDownAndOptOutNotConfiguredThenTheLabelExemptsNothing() {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(optedOut).resource(Manifests.privilegedPod("labelled")).create());

        assertThat(e.getCode()).isEqualTo(500);
        assertThat(e.getStatus().getMessage()).startsWith("Internal error occurred: failed calling webhook \"mutate.podguard.io\"");
    }

    @Test
    @Order(3)
    void ignoreWhenPodguardDownThenPodsAdmittedFailingOpen() {
        WebhookConfigurations.apply(client, podguard.baseUrl(), podguard.caBundle(), FailurePolicy.Ignore);
        // Until the apiserver has the new configurations, creates still fail: retry until one is
        // admitted after both webhooks failed open.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonNode annotations = null;
        while (annotations == null || !annotations.has("failed-open.validating.webhook.admission.k8s.io/round_0_index_0")) {
            assertThat(Instant.now()).as("pods admitted with failurePolicy Ignore within 60 s").isBefore(deadline);
            String name = "privileged-" + NAMES.incrementAndGet();
            try {
                client.pods().inNamespace(ns).resource(Manifests.privilegedPod(name)).create();
                annotations = auditAnnotations(ns, name);
            } catch (KubernetesClientException e) {
                Podguard.sleep(200);
            }
        }

        assertThat(annotations.path("failed-open.mutation.webhook.admission.k8s.io/round_0_index_0").asString())
                .isEqualTo(WebhookConfigurations.MUTATING_WEBHOOK);
        assertThat(annotations.path("failed-open.validating.webhook.admission.k8s.io/round_0_index_0").asString())
                .isEqualTo(WebhookConfigurations.VALIDATING_WEBHOOK);
    }

    @Test
    @Order(4)
    void ignoreWhenPodguardDownThenExcludedNamespacesStillAdmitPods() {
        assertExcludedNamespacesAdmit();
    }

    private static void assertExcludedNamespacesAdmit() {
        for (String namespace : new String[] {"kube-system"}) {
            String name = "excluded-" + NAMES.incrementAndGet();
            Pod stored = client.pods().inNamespace(namespace).resource(Manifests.privilegedPod(name)).create();
            try {
                assertThat(stored.getMetadata().getUid()).isNotBlank();
                // Not even tried: no webhook annotation of any kind.
                assertThat(auditAnnotations(namespace, name).propertyNames())
                        .noneMatch(key -> key.contains("webhook") || key.contains("podguard"));
            } finally {
                client.pods().inNamespace(namespace).withName(name).delete();
            }
        }
    }

    private static JsonNode auditAnnotations(String namespace, String name) {
        return new AuditLog(cluster.auditLog()).event("create", "pods", namespace, name)
                .orElseThrow(() -> new AssertionError("no audit event for pods " + namespace + "/" + name))
                .path("annotations");
    }
}
