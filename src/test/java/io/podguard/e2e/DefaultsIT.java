package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The defaults of the embedded policy (issue #4) reach the stored pod: the apiserver applied
 * podguard's patch, and baseline validation admits the result.
 */
class DefaultsIT extends ClusterTest {

    @BeforeAll
    static void register() {
        WebhookConfigurations.register(client, Policies.shared("enforce-baseline", Policies.ENFORCE_BASELINE), FailurePolicy.Fail);
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
    }

    @Test
    void barePodWhenCreatedThenStoredWithEveryDefault() {
        String ns = Namespaces.create(client, "defaults");

        Pod stored = client.pods().inNamespace(ns).resource(Manifests.barePod("bare")).create();

        assertDefaulted(stored.getSpec().getContainers().getFirst(), new IntOrString(8080));
        assertThat(stored.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        // The apiserver defaults the grace period to 30 before webhooks see the pod; the sleep is added to it.
        assertThat(stored.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(35L);
        assertThat(stored.getMetadata().getAnnotations()).containsEntry("podguard.io/defaults",
                "resources (container app), readinessProbe (container app), preStop (container app), "
                        + "preStop (terminationGracePeriodSeconds 30 to 35), securityContext (container app), securityContext (pod)");
        assertThat(client.pods().inNamespace(ns).withName("bare").get().getSpec()).isEqualTo(stored.getSpec());
    }

    @Test
    void barePodWhenDryRunThenSameDefaultsAndNothingStored() {
        String ns = Namespaces.create(client, "defaults");

        Pod dryRun = client.pods().inNamespace(ns).resource(Manifests.barePod("bare")).dryRun().create();

        assertDefaulted(dryRun.getSpec().getContainers().getFirst(), new IntOrString(8080));
        assertThat(dryRun.getMetadata().getAnnotations()).containsKey("podguard.io/defaults");
        assertThat(client.pods().inNamespace(ns).withName("bare").get()).isNull();
    }

    /** Requests cpu 100m / memory 128Mi, limit memory 256Mi only, tcpSocket readiness on {@code port}, preStop sleep 5 s, no escalation. */
    static void assertDefaulted(Container container, IntOrString port) {
        assertThat(container.getResources().getRequests())
                .isEqualTo(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")));
        assertThat(container.getResources().getLimits()).isEqualTo(Map.of("memory", new Quantity("256Mi")));
        assertThat(container.getReadinessProbe().getTcpSocket().getPort()).isEqualTo(port);
        assertThat(container.getReadinessProbe().getTcpSocket().getHost()).isNull();
        assertThat(container.getReadinessProbe().getHttpGet()).isNull();
        assertThat(container.getLivenessProbe()).isNull();
        assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }
}
