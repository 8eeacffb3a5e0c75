package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Enforce mode through the real API: denials as kubectl shows them, dry runs, workloads. */
class AdmissionIT extends ClusterTest {

    static final String DENIAL = "admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK + "\" denied the request: "
            + "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
            + "privileged (container \"app\" must not set securityContext.privileged=true)";

    private static Podguard podguard;

    @BeforeAll
    static void register() {
        podguard = Policies.shared("enforce-baseline", Policies.ENFORCE_BASELINE);
        WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
    }

    @Test
    void privilegedPodWhenEnforcedThenRejectedWithPodSecurityMessage() {
        String ns = Namespaces.create(client, "enforce");

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(Manifests.privilegedPod("bad")).create());

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
        assertThat(e.getStatus().getMessage()).isEqualTo(DENIAL);
        assertThat(client.pods().inNamespace(ns).withName("bad").get()).isNull();
        // As PSA: the audit log names the level that decided.
        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, "bad").orElseThrow();
        assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(403);
        assertThat(event.path("annotations").path(WebhookConfigurations.VALIDATING_WEBHOOK + "/enforce-policy").asString()).isEqualTo("baseline:latest");
    }

    @Test
    void privilegedPodWhenDryRunThenSameDenial() {
        String ns = Namespaces.create(client, "dryrun");

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(Manifests.privilegedPod("bad")).dryRun().create());

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo(DENIAL);
    }

    @Test
    void allowedPodWhenDryRunThenSamePodAsCreatedAndNothingStored() {
        String ns = Namespaces.create(client, "dryrun");

        Pod dryRun = client.pods().inNamespace(ns).resource(Manifests.barePod("web")).dryRun().create();
        Pod storedAfterDryRun = client.pods().inNamespace(ns).withName("web").get();
        Pod created = client.pods().inNamespace(ns).resource(Manifests.barePod("web")).create();

        assertThat(storedAfterDryRun).isNull();
        assertThat(dryRun.getSpec()).isEqualTo(created.getSpec());
        assertThat(dryRun.getMetadata().getAnnotations()).isEqualTo(created.getMetadata().getAnnotations());
        assertThat(dryRun.getMetadata().getLabels()).isEqualTo(created.getMetadata().getLabels());
    }

    @Test
    void deploymentWithPrivilegedTemplateWhenEnforcedThenStoredWithWarning() {
        String ns = Namespaces.create(client, "workload");
        List<String> warnings = Cluster.warningList();

        Deployment stored;
        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            stored = warned.apps().deployments().inNamespace(ns).resource(Manifests.privilegedDeployment("web")).create();
        }

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(warnings).containsExactlyElementsOf(ModesIT.WARNINGS);
    }
}
