package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The policy file is replaced as the kubelet replaces a ConfigMap volume (one symlink swap):
 * the same podguard process gives the new verdict, no restart.
 */
class PolicyReloadIT extends ClusterTest {

    private static Podguard podguard;

    @BeforeAll
    static void register() {
        podguard = Podguard.start("reload", Policies.ENFORCE_BASELINE);
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
    void policySwappedFromEnforceToWarnThenSameProcessAdmitsWithWarning() {
        String ns = Namespaces.create(client, "reload");
        KubernetesClientException denied = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(Manifests.privilegedPod("before")).dryRun().create());
        assertThat(denied.getStatus().getMessage()).isEqualTo(AdmissionIT.DENIAL);
        long pid = podguard.pid();

        podguard.swapPolicy(Policies.WARN_BASELINE);

        List<String> warnings = Cluster.warningList();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        try (KubernetesClient warned = cluster.clientWithWarnings(warnings)) {
            while (true) {
                try {
                    warned.pods().inNamespace(ns).resource(Manifests.privilegedPod("after")).create();
                    break;
                } catch (KubernetesClientException e) {
                    assertThat(e.getStatus().getMessage()).isEqualTo(AdmissionIT.DENIAL);
                    assertThat(Instant.now()).as("new policy in force within 30 s; log:%n%s", podguard.log()).isBefore(deadline);
                    Podguard.sleep(200);
                }
            }
        }

        assertThat(warnings).containsExactlyElementsOf(ModesIT.WARNINGS);
        assertThat(podguard.isAlive()).isTrue();
        assertThat(podguard.pid()).isEqualTo(pid);
        assertThat(client.pods().inNamespace(ns).withName("after").get()).isNotNull();
    }
}
