package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The namespace cache loses its watch (the API server goes away): the labels already known stay
 * in use, readiness stays true (the replica still judges with what it knows), a namespace never
 * seen falls back to the top-level policy, and nothing throws into the admission path.
 */
class NamespaceCacheFaultsTest {

    private final KubernetesMockServer cluster = new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    private KubernetesClient client;
    private NamespaceCache cache;

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
    void watchLostThenKnownLabelsKeptAndReadinessUnchanged() {
        cluster.init();
        client = cluster.createClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("payments")
                .withLabels(Map.of("team", "payments")).endMetadata().build()).create();
        Readiness readiness = new Readiness();
        cache = new NamespaceCache(() -> client, readiness);

        cache.start(true);
        assertThat(readiness.unmet()).containsKey("namespaces");
        await().atMost(Duration.ofSeconds(20)).until(cache::isSynced);
        assertThat(readiness.isReady()).isTrue();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("late")
                .withLabels(Map.of("tier", "2")).endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> Map.of("tier", "2").equals(cache.labels("late")));

        cluster.destroy(); // the connection drops and stays down

        assertThat(cache.labels("payments")).isEqualTo(Map.of("team", "payments"));
        assertThat(cache.labels("late")).isEqualTo(Map.of("tier", "2"));
        assertThat(cache.labels("never-seen")).isNull();
        assertThat(cache.labels("never-seen-either")).isNull();
        assertThat(readiness.isReady()).isTrue();
        // Unreadable, not unknown: a request its labels could decide is refused (the first miss waited for the
        // apiserver, the next ones are not even tried for a while).
        assertThat(cache.unreadable("never-seen")).isNotNull().doesNotContain("\n");
        assertThat(cache.unreadable("never-seen-either"))
                .isEqualTo("the apiserver did not answer a lookup a moment ago; lookups paused for 10s");
    }

    @Test
    void namespacesNotWatchedThenUnknownNotUnreadable() {
        cluster.init();
        client = cluster.createClient();
        cache = new NamespaceCache(() -> client, new Readiness());

        assertThat(cache.labels("payments")).isNull();
        assertThat(cache.unreadable("payments")).isNull();
    }

    @Test
    void apiServerUnreachableAtStartThenNotReadyAndNoLabels() {
        cluster.init();
        client = cluster.createClient();
        cluster.destroy();
        Readiness readiness = new Readiness();
        cache = new NamespaceCache(() -> client, readiness);

        cache.start(true);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !cache.isSynced());
        assertThat(readiness.unmet()).containsEntry("namespaces", "namespace cache not synced");
        assertThat(cache.labels("payments")).isNull();
    }
}
