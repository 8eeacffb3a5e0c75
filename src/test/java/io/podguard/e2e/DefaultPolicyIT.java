package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded default policy, as a default {@code helm install} serves it (the chart's ConfigMap
 * holds the same text), through the real apiserver: an ordinary pod is defaulted by the mutating
 * webhook and admitted by the validating one, with one warning per restricted check it still
 * misses; a privileged pod is denied at baseline.
 */
class DefaultPolicyIT extends ClusterTest {

    @BeforeAll
    static void register() throws IOException {
        String embedded = Files.readString(Cluster.REPO.resolve(ChartIT.EMBEDDED_POLICY));
        WebhookConfigurations.register(client, Policies.shared("embedded-default", embedded), FailurePolicy.Fail);
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
    }

    @Test
    void barePodWhenCreatedThenDefaultedAdmittedAndWarnedAboutRestricted() {
        String ns = Namespaces.create(client, "default-policy");
        List<String> warnings = Cluster.warningList();

        Pod stored;
        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            stored = warned.pods().inNamespace(ns).resource(Manifests.barePod("web")).create();
        }

        assertThat(stored.getMetadata().getUid()).isNotBlank();
        assertThat(stored.getMetadata().getAnnotations()).containsKey("podguard.io/defaults");
        assertThat(stored.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(warnings).containsExactly(
                "would violate PodSecurity \"restricted:latest\": unrestricted capabilities "
                        + "(container \"app\" must set securityContext.capabilities.drop=[\"ALL\"])",
                "would violate PodSecurity \"restricted:latest\": runAsNonRoot != true "
                        + "(pod or container \"app\" must set securityContext.runAsNonRoot=true)");
    }

    @Test
    void privilegedPodWhenCreatedThenDeniedAtBaseline() {
        String ns = Namespaces.create(client, "default-policy");

        assertThatThrownBy(() -> client.pods().inNamespace(ns).resource(Manifests.privilegedPod("root")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage()).isEqualTo("admission webhook \"pods.validate.podguard.io\" denied the request: "
                            + "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
                            + "privileged (container \"app\" must not set securityContext.privileged=true)");
                });
        assertThat(client.pods().inNamespace(ns).withName("root").get()).isNull();
    }
}
