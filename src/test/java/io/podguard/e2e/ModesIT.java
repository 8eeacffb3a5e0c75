package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Warn and audit mode through the real API: Warning headers and the apiserver's audit log. */
class ModesIT extends ClusterTest {

    /** One Warning header per check, as PSA sends them (and kubectl prints them). */
    static final List<String> WARNINGS = List.of(
            "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)",
            "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)");

    /** The audit annotation: every violation in one value. */
    static final String VIOLATIONS = "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
            + "privileged (container \"app\" must not set securityContext.privileged=true)";

    @AfterEach
    void unregister() {
        WebhookConfigurations.delete(client);
    }

    @Test
    void privilegedPodWhenWarnModeThenStoredWithWarningHeader() {
        WebhookConfigurations.register(client, Policies.shared("warn-baseline", Policies.WARN_BASELINE), FailurePolicy.Fail);
        String ns = Namespaces.create(client, "warn");
        List<String> dryRunWarnings = Cluster.warningList();
        List<String> warnings = Cluster.warningList();

        Pod stored;
        try (KubernetesClient dryRunClient = cluster.clientWithWarnings(dryRunWarnings);
                KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            dryRunClient.pods().inNamespace(ns).resource(Manifests.privilegedPod("loud")).dryRun().create();
            stored = warned.pods().inNamespace(ns).resource(Manifests.privilegedPod("loud")).create();
        }

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(warnings).containsExactlyElementsOf(WARNINGS);
        assertThat(dryRunWarnings).containsExactlyElementsOf(WARNINGS);
    }

    @Test
    void compliantPodWhenWarnModeThenNoWarning() {
        WebhookConfigurations.register(client, Policies.shared("warn-baseline", Policies.WARN_BASELINE), FailurePolicy.Fail);
        String ns = Namespaces.create(client, "warn");
        List<String> warnings = Cluster.warningList();

        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            warned.pods().inNamespace(ns).resource(Manifests.restrictedPod("quiet")).create();
        }

        assertThat(warnings).isEmpty();
    }

    @Test
    void privilegedPodWhenAuditModeThenStoredAndViolationsInApiserverAuditLog() {
        WebhookConfigurations.register(client, Policies.shared("audit-baseline", Policies.AUDIT_BASELINE), FailurePolicy.Fail);
        String ns = Namespaces.create(client, "audit");
        List<String> warnings = Cluster.warningList();

        Pod stored;
        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            stored = warned.pods().inNamespace(ns).resource(Manifests.privilegedPod("recorded")).create();
        }

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(warnings).isEmpty();
        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, "recorded").orElseThrow(
                () -> new AssertionError("no audit event for the create of pods " + ns + "/recorded in " + cluster.auditLog()));
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(201);
        assertThat(event.path("annotations").path(WebhookConfigurations.VALIDATING_WEBHOOK + "/audit-violations").asString()).isEqualTo(VIOLATIONS);
    }

    @Test
    void compliantPodWhenAuditModeThenNoViolationsInAuditLog() {
        WebhookConfigurations.register(client, Policies.shared("audit-baseline", Policies.AUDIT_BASELINE), FailurePolicy.Fail);
        String ns = Namespaces.create(client, "audit");

        client.pods().inNamespace(ns).resource(Manifests.restrictedPod("clean")).create();

        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, "clean").orElseThrow(
                () -> new AssertionError("no audit event for the create of pods " + ns + "/clean in " + cluster.auditLog()));
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(201);
        assertThat(event.path("annotations").has(WebhookConfigurations.VALIDATING_WEBHOOK + "/audit-violations")).isFalse();
    }
}
