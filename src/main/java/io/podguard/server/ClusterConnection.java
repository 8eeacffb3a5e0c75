package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.kube.KubeconfigException;
import io.podguard.kube.KubernetesClients;
import io.podguard.kube.KubernetesClients.Environment;
import io.podguard.kube.KubernetesClients.Origin;
import io.podguard.kube.KubernetesClients.Target;
import io.podguard.kube.KubernetesClients.Timeouts;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The apiserver client shared by Events and the background audit, found by the same rules as
 * every podguard command ({@link KubernetesClients}); none without cluster access.
 *
 * <p>Those two features write to the cluster, so they switch themselves on only where podguard
 * was pointed at a cluster on purpose: in a pod (its service account) or with
 * {@code serve --kubeconfig FILE}. A {@code $KUBECONFIG} or {@code ~/.kube/config} on a
 * workstation is used (namespace labels, managed certificates) but never makes
 * {@code podguard serve} write Events or PolicyReports into whatever cluster it points at
 * unless they are switched on ({@code podguard.events.enabled=true}).
 */
final class ClusterConnection implements AutoCloseable {

    private final @Nullable KubernetesClient client;
    private final @Nullable Target target;
    private final String description;

    private ClusterConnection(@Nullable KubernetesClient client, @Nullable Target target, String description) {
        this.client = client;
        this.target = target;
        this.description = description;
    }

    /**
     * @throws KubeconfigException when a kubeconfig or context was named and cannot be used:
     *     podguard does not start on a cluster nobody chose
     */
    static ClusterConnection of(@Nullable Path kubeconfig, @Nullable String context, Environment environment) {
        return of(kubeconfig, context, environment, null);
    }

    /** As {@link #of(Path, String, Environment)}, introducing itself to the apiserver as {@code userAgent}. */
    static ClusterConnection of(@Nullable Path kubeconfig, @Nullable String context, Environment environment, @Nullable String userAgent) {
        Target target;
        try {
            target = KubernetesClients.resolve(kubeconfig, context, environment);
        } catch (KubeconfigException e) {
            if (kubeconfig != null || context != null) {
                throw e;
            }
            return none("no cluster access (" + e.getMessage() + ")");
        }
        return new ClusterConnection(KubernetesClients.connect(target, Timeouts.SERVER, userAgent), target, target.description());
    }

    static ClusterConnection none(String why) {
        return new ClusterConnection(null, null, why);
    }

    @Nullable KubernetesClient client() {
        return client;
    }

    /** Whether features that write to the cluster may switch themselves on: in a pod, or with a kubeconfig named for the server. */
    boolean chosenForTheServer() {
        return target != null && (target.origin() == Origin.IN_CLUSTER || target.origin() == Origin.FLAG);
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
