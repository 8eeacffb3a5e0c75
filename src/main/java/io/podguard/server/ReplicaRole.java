package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.kube.LeaderElection;
import io.podguard.kube.Leadership;
import org.jspecify.annotations.Nullable;

/**
 * This replica's part among podguard's replicas: whether it leads (the background audit, its
 * PolicyReports, the certificate Secret's writes), and, with leader election on, where the Lease
 * and the leader's shared audit live.
 *
 * @param election null when leader election is off and this replica always leads
 * @param namespace the Lease's namespace, null without leader election
 * @param why what decided it, for the log and {@code /audit}
 */
record ReplicaRole(Leadership leadership, @Nullable LeaderElection election, @Nullable KubernetesClient client,
                   @Nullable String namespace, String why) implements AutoCloseable {

    /** The ConfigMap the leader shares its last audit through: {@code LEASE-audit}, beside the Lease. */
    @Nullable String sharedAuditConfigMap() {
        return election == null ? null : election.settings().lease() + "-audit";
    }

    @Override
    public void close() throws InterruptedException {
        if (election != null) {
            election.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
