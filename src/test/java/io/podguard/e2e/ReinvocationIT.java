package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import io.podguard.engine.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A sidecar added by another mutating webhook after podguard's still gets podguard's defaults:
 * podguard is registered with {@code reinvocationPolicy: IfNeeded}, so the apiserver calls it
 * again once the injector has changed the pod.
 */
class ReinvocationIT extends ClusterTest {

    private static SidecarInjector injector;

    @BeforeAll
    static void register() throws Exception {
        WebhookConfigurations.register(client, Policies.shared("enforce-baseline", Policies.ENFORCE_BASELINE), FailurePolicy.Fail);
        injector = SidecarInjector.start();
        client.resource(injector.configuration()).forceConflicts().serverSideApply();
    }

    @AfterAll
    static void unregister() {
        if (client != null) {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(SidecarInjector.CONFIGURATION_NAME).delete();
        }
        WebhookConfigurations.delete(client);
        if (injector != null) {
            injector.close();
        }
    }

    @Test
    void sidecarInjectedAfterPodguardWhenCreatedThenSidecarDefaultedToo() {
        String ns = Namespaces.create(client, "mesh", Map.of(SidecarInjector.NAMESPACE_LABEL, "true"));

        Pod stored = awaitInjected(ns);

        assertThat(stored.getSpec().getContainers()).extracting(Container::getName).containsExactly("app", "sidecar");
        DefaultsIT.assertDefaulted(stored.getSpec().getContainers().get(0), new IntOrString(8080));
        DefaultsIT.assertDefaulted(stored.getSpec().getContainers().get(1), new IntOrString(SidecarInjector.SIDECAR_PORT_NAME));
        assertThat(stored.getMetadata().getAnnotations().get("podguard.io/defaults"))
                .contains("resources (container app)", "resources (container sidecar)", "securityContext (container sidecar)");
        // Round 1 is the reinvocation: podguard was called again and changed the pod.
        JsonNode annotations = new AuditLog(cluster.auditLog()).event("create", "pods", ns, stored.getMetadata().getName())
                .orElseThrow().path("annotations");
        JsonNode round1 = Json.mapper().readTree(annotations.path("mutation.webhook.admission.k8s.io/round_1_index_0").asString("{}"));
        assertThat(round1.path("webhook").asString()).isEqualTo(WebhookConfigurations.MUTATING_WEBHOOK);
        assertThat(round1.path("mutated").asBoolean()).isTrue();
    }

    /** The injector's configuration takes effect a moment after it is stored: create pods until one has the sidecar. */
    private static Pod awaitInjected(String ns) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        for (int n = 1; ; n++) {
            Pod stored = client.pods().inNamespace(ns).resource(Manifests.barePod("web-" + n)).create();
            if (stored.getSpec().getContainers().size() > 1) {
                return stored;
            }
            assertThat(Instant.now()).as("sidecar injected within 60 s").isBefore(deadline);
            Podguard.sleep(200);
        }
    }
}
