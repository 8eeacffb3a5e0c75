package io.podguard.audit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** How podguard reaches an apiserver: a kubeconfig file, or the pod's service account. */
public final class KubernetesAccess {

    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private KubernetesAccess() {
    }

    /** True inside a pod with a service account token, as the apiserver sets it up. */
    public static boolean inCluster() {
        return System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(SERVICE_ACCOUNT_TOKEN);
    }

    /**
     * A client from {@code kubeconfig} (its current context, or {@code context}); with no file,
     * from {@code $KUBECONFIG}, {@code ~/.kube/config} or the pod's service account, as kubectl.
     *
     * @throws IllegalArgumentException when the file cannot be read
     */
    public static KubernetesClient client(@Nullable Path kubeconfig, @Nullable String context) {
        Config config;
        if (kubeconfig != null) {
            if (!Files.isReadable(kubeconfig)) {
                throw new IllegalArgumentException("cannot read kubeconfig " + kubeconfig);
            }
            config = Config.fromKubeconfig(context, kubeconfig.toFile());
        } else {
            config = Config.autoConfigure(context);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
