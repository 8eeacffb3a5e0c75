package io.podguard.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh namespaces for each test: this cluster has no namespace controller, so a deleted
 * namespace would stay Terminating for ever. Names never repeat within a run.
 */
final class Namespaces {

    private static String probe;

    private Namespaces() {
    }

    static String create(KubernetesClient client, String prefix) {
        return create(client, prefix, Map.of());
    }

    static String create(KubernetesClient client, String prefix, Map<String, String> labels) {
        String name = prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build())
                .create();
        return name;
    }

    /** The namespace in which registrations are probed. */
    static synchronized String probe(KubernetesClient client) {
        if (probe == null) {
            probe = create(client, "probe");
        }
        return probe;
    }
}
