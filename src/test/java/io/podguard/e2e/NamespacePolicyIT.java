package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One policy, different verdicts by namespace: an override selected by a namespace label, the
 * {@code podguard.io/mode} namespace label, and an exempt namespace. podguard reads namespace
 * labels from the apiserver (here through the suite's kubeconfig, as through its service account
 * in a cluster).
 */
class NamespacePolicyIT extends ClusterTest {

    static final String POLICY = """
            apiVersion: podguard.io/v1alpha1
            kind: PodGuardPolicy
            mode: enforce
            podSecurity:
              level: baseline
              version: latest
            namespaceLabelOverrides: true
            namespaces:
              - selector:
                  matchLabels:
                    e2e.podguard.io/tier: legacy
                mode: warn
            exemptions:
              - reason: break-glass namespaces of the e2e suite
                namespaces: ["exempt-*"]
            """;

    private static Podguard podguard;

    @BeforeAll
    static void register() {
        podguard = Podguard.start("namespaces", POLICY);
        WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
        if (podguard != null) {
            podguard.stop();
        }
    }

    @Test
    void privilegedPodWhenNamespaceMatchesNoOverrideThenDenied() {
        String ns = Namespaces.create(client, "plain");

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(Manifests.privilegedPod("bad")).create());

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo(AdmissionIT.DENIAL);
    }

    @Test
    void privilegedPodWhenNamespaceLabelSelectsWarnOverrideThenAdmittedWithWarning() {
        String ns = Namespaces.create(client, "legacy", Map.of("e2e.podguard.io/tier", "legacy"));
        List<String> warnings = Cluster.warningList();

        Pod stored;
        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            stored = warned.pods().inNamespace(ns).resource(Manifests.privilegedPod("loud")).create();
        }

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(warnings).containsExactlyElementsOf(ModesIT.WARNINGS);
    }

    @Test
    void privilegedPodWhenModeLabelSaysAuditThenAdmittedAndAudited() {
        String ns = Namespaces.create(client, "relaxed", Map.of("podguard.io/mode", "audit"));

        Pod stored = client.pods().inNamespace(ns).resource(Manifests.privilegedPod("recorded")).create();

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, "recorded").orElseThrow();
        assertThat(event.path("annotations").path(WebhookConfigurations.VALIDATING_WEBHOOK + "/audit-violations").asString()).isEqualTo(ModesIT.VIOLATIONS);
    }

    @Test
    void privilegedPodWhenNamespaceExemptThenAdmittedWithoutWarning() {
        String ns = Namespaces.create(client, "exempt");
        List<String> warnings = Cluster.warningList();

        Pod stored;
        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            stored = warned.pods().inNamespace(ns).resource(Manifests.privilegedPod("trusted")).create();
        }

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(warnings).isEmpty();
        // The hole is on record, with its reason.
        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, "trusted").orElseThrow();
        assertThat(event.path("annotations").path(WebhookConfigurations.VALIDATING_WEBHOOK + "/exempt").asString())
                .isEqualTo("break-glass namespaces of the e2e suite");
    }
}
