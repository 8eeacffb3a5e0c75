package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.audit.KubernetesAccess;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** The apiserver client shared by Events and the background audit; none without cluster access. */
final class ClusterConnection implements AutoCloseable {

    private final @Nullable KubernetesClient client;
    private final String description;

    private ClusterConnection(@Nullable KubernetesClient client, String description) {
        this.client = client;
        this.description = description;
    }

    /**
     * In a pod, its service account; outside one, only the kubeconfig named by
     * {@code podguard.kubeconfig} ({@code serve --kubeconfig FILE}): {@code java -jar podguard.jar}
     * alone never talks to a cluster, even with a {@code KUBECONFIG} in the environment.
     */
    static ClusterConnection of(@Nullable Path kubeconfig) {
        if (kubeconfig != null) {
            return new ClusterConnection(KubernetesAccess.client(kubeconfig, null), "kubeconfig " + kubeconfig);
        }
        if (KubernetesAccess.inCluster()) {
            return new ClusterConnection(KubernetesAccess.client(null, null), "in-cluster service account");
        }
        return none("no cluster access (not in a pod and podguard.kubeconfig is not set)");
    }

    static ClusterConnection none(String why) {
        return new ClusterConnection(null, why);
    }

    @Nullable KubernetesClient client() {
        return client;
    }

    String description() {
        return description;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
