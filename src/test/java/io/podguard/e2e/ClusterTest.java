package io.podguard.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of every e2e test class: the suite's one cluster, started before the first class runs.
 * A cluster that cannot be built or started fails every test with the reason.
 */
abstract class ClusterTest {

    static Cluster cluster;
    static KubernetesClient client;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.get();
        client = cluster.client();
    }
}
