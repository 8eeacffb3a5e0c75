package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.resources.NamespaceResources;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LimitRange and ResourceQuota caches: readiness blocked until both have listed, each
 * namespace's objects as engine inputs, changes followed by the watch, and no cluster meaning
 * not ready rather than defaults that ignore the quota.
 */
class NamespaceResourcesCacheTest {

    private final KubernetesMockServer cluster = new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    private KubernetesClient client;
    private NamespaceResourcesCache cache;

    @AfterEach
    void tearDown() {
        if (cache != null) {
            cache.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void syncedThenEachNamespaceHasItsLimitRangesAndQuotasAndChangesAreFollowed() {
        cluster.init();
        client = cluster.createClient();
        client.limitRanges().inNamespace("team-a").resource(new LimitRangeBuilder().withNewMetadata().withName("bounds").endMetadata()
                .withNewSpec().addNewLimit().withType("Container").withMax(Map.of("memory", new Quantity("1Gi")))
                .withDefault(Map.of("memory", new Quantity("512Mi"))).endLimit()
                .addNewLimit().withType("Pod").withMax(Map.of("cpu", new Quantity("4"))).endLimit().endSpec().build()).create();
        Readiness readiness = new Readiness();
        cache = new NamespaceResourcesCache(() -> client, readiness);

        cache.start();
        assertThat(readiness.unmet()).containsEntry("namespace-resources", "LimitRange and ResourceQuota caches not synced");
        await().atMost(Duration.ofSeconds(20)).until(cache::isSynced);
        assertThat(readiness.isReady()).isTrue();

        NamespaceResources a = cache.of("team-a");
        assertThat(a.limitRanges()).hasSize(1); // the Pod item is not a container default
        assertThat(a.limitRanges().getFirst().name()).isEqualTo("bounds");
        assertThat(a.limitRanges().getFirst().max()).containsEntry("memory", KubeQuantity.parse("1Gi"));
        assertThat(a.quotas()).isEmpty();
        assertThat(cache.of("team-b")).isEqualTo(NamespaceResources.NONE);

        client.resourceQuotas().inNamespace("team-a").resource(new ResourceQuotaBuilder().withNewMetadata().withName("compute").endMetadata()
                .withNewSpec().withHard(Map.of("limits.cpu", new Quantity("8"), "requests.memory", new Quantity("16Gi"))).endSpec()
                .build()).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> !cache.of("team-a").quotas().isEmpty());
        NamespaceResources.Quota quota = cache.of("team-a").quotas().getFirst();
        assertThat(quota.hard()).isEqualTo(Set.of("limits.cpu", "requests.memory"));
        assertThat(quota.tracksLimit("cpu")).isTrue();
        assertThat(quota.tracksRequest("memory")).isTrue();
        assertThat(quota.tracksRequest("cpu")).isFalse();
    }

    @Test
    void apiServerUnreachableThenNotReadyAndNothingKnown() {
        cluster.init();
        client = cluster.createClient();
        cluster.destroy();
        Readiness readiness = new Readiness();
        cache = new NamespaceResourcesCache(() -> client, readiness);

        cache.start();

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !cache.isSynced());
        assertThat(readiness.unmet()).containsKey("namespace-resources");
        assertThat(cache.of("team-a")).isEqualTo(NamespaceResources.NONE);
    }
}
