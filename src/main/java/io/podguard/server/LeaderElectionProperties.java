package io.podguard.server;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code podguard.leader-election.*}: which replica runs the background audit, writes
 * PolicyReports and the certificate Secret (the others answer reviews all the same).
 *
 * @param enabled null (default): on where podguard reaches the cluster in a pod or through
 *     {@code serve --kubeconfig} and the background audit or managed certificates may run;
 *     false: this replica always leads (run one replica only)
 * @param namespace the Lease's namespace (default: {@code POD_NAMESPACE}, else the pod's
 *     service-account namespace, else the kubeconfig context's, else {@code default})
 * @param leaseName the Lease, the same for every replica of one installation (default {@code podguard});
 *     the leader's last audit is shared through the ConfigMap {@code LEASE-NAME-audit} beside it
 * @param identity this replica's name in the Lease (default: {@code POD_NAME} or the host name, and a random suffix)
 * @param leaseDuration how long a silent leader keeps the Lease (default 15s)
 * @param renewDeadline how long a leader keeps trying to renew before it stops leading (default 10s)
 * @param retryPeriod how often the Lease is renewed or tried (default 2s)
 */
@ConfigurationProperties("podguard.leader-election")
public record LeaderElectionProperties(
        @Nullable Boolean enabled,
        @Nullable String namespace,
        @Nullable String leaseName,
        @Nullable String identity,
        @Nullable Duration leaseDuration,
        @Nullable Duration renewDeadline,
        @Nullable Duration retryPeriod) {

    public LeaderElectionProperties {
        leaseName = leaseName == null || leaseName.isBlank() ? "podguard" : leaseName;
        leaseDuration = leaseDuration == null ? Duration.ofSeconds(15) : leaseDuration;
        renewDeadline = renewDeadline == null ? Duration.ofSeconds(10) : renewDeadline;
        retryPeriod = retryPeriod == null ? Duration.ofSeconds(2) : retryPeriod;
    }
}
