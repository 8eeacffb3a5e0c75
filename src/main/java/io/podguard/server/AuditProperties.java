package io.podguard.server;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code podguard.audit.*}: the background audit of the cluster's pods.
 *
 * @param enabled null (default): on when podguard has cluster access (in a pod, or {@code podguard.kubeconfig})
 * @param interval between runs (default 10m); a policy change also starts one
 * @param pageSize pods per list request (default 500)
 * @param excludeNamespaces namespaces the webhook does not judge (default: kube-system, and
 *     podguard's own namespace from {@code POD_NAMESPACE})
 * @param policyReports publish PolicyReports (default true; skipped when the CRD is absent)
 * @param maxResultsPerReport results per PolicyReport, failures first (default 1000)
 */
@ConfigurationProperties("podguard.audit")
public record AuditProperties(
        @Nullable Boolean enabled,
        @Nullable Duration interval,
        @Nullable Integer pageSize,
        @Nullable List<String> excludeNamespaces,
        @Nullable Boolean policyReports,
        @Nullable Integer maxResultsPerReport) {

    public AuditProperties {
        interval = interval == null ? Duration.ofMinutes(10) : interval;
        pageSize = pageSize == null ? 500 : pageSize;
        excludeNamespaces = excludeNamespaces == null ? List.of("kube-system") : List.copyOf(excludeNamespaces);
        policyReports = policyReports == null ? Boolean.TRUE : policyReports;
        maxResultsPerReport = maxResultsPerReport == null ? 1000 : maxResultsPerReport;
    }
}
