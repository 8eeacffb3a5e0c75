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
 * @param pageSize pods per list request (default 500, at most 5000)
 * @param timeBudget how long one run may take (default 5m): a run that outlives it publishes the
 *     namespaces it finished and stops; the others keep their previous results until the next run
 * @param excludeNamespaces namespaces the webhook does not judge (default: kube-system, and
 *     podguard's own namespace from {@code POD_NAMESPACE})
 * @param policyReports publish PolicyReports (default true; skipped when the CRD is absent)
 * @param maxResultsPerReport results per PolicyReport (default 1000): a namespace with more is split over several
 */
@ConfigurationProperties("podguard.audit")
public record AuditProperties(
        @Nullable Boolean enabled,
        @Nullable Duration interval,
        @Nullable Integer pageSize,
        @Nullable List<String> excludeNamespaces,
        @Nullable Boolean policyReports,
        @Nullable Integer maxResultsPerReport,
        @Nullable Duration timeBudget) {

    public AuditProperties {
        interval = interval == null ? Duration.ofMinutes(10) : interval;
        pageSize = pageSize == null ? 500 : pageSize;
        excludeNamespaces = excludeNamespaces == null ? List.of("kube-system") : List.copyOf(excludeNamespaces);
        policyReports = policyReports == null ? Boolean.TRUE : policyReports;
        maxResultsPerReport = maxResultsPerReport == null ? 1000 : maxResultsPerReport;
        timeBudget = timeBudget == null ? Duration.ofMinutes(5) : timeBudget;
        if (pageSize < 1 || pageSize > 5000) {
            throw new IllegalArgumentException("podguard.audit.page-size must be between 1 and 5000, not " + pageSize);
        }
        if (maxResultsPerReport < 1) {
            throw new IllegalArgumentException("podguard.audit.max-results-per-report must be at least 1, not " + maxResultsPerReport);
        }
    }
}
