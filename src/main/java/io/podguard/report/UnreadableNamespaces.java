package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests refused because their namespace could change the decision and could not be read:
 * counted by webhook ({@code podguard_admission_namespace_unavailable_total}, no namespace label:
 * anyone reaching the port names any namespace), logged once per namespace. The set of namespaces
 * already logged is bounded; when full it starts again, so a flood of invented names costs at
 * most one line per name per {@value #MAX_LOGGED} names.
 */
final class UnreadableNamespaces {

    static final int MAX_LOGGED = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(UnreadableNamespaces.class);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    UnreadableNamespaces(MeterRegistry registry) {
        this.registry = registry;
        for (String webhook : AdmissionMetrics.WEBHOOKS) {
            counters.put(webhook, counter(webhook));
        }
    }

    private Counter counter(String webhook) {
        return Counter.builder(MetricNames.NAMESPACE_UNAVAILABLE)
                .description("Requests refused (workloads: allowed with an error annotation) because their namespace "
                        + "could change the decision and could not be read")
                .tag(MetricNames.WEBHOOK, webhook)
                .register(registry);
    }

    void refused(Review review, String reason) {
        Counter c = counters.get(review.webhook());
        (c != null ? c : counter(review.webhook())).increment();
        String namespace = review.namespace() == null ? "" : review.namespace();
        if (logged.size() >= MAX_LOGGED) {
            logged.clear();
        }
        if (logged.add(namespace)) {
            LOG.warn("namespace {} could not be read ({}): pods it could decide are refused until it can be, "
                    + "workloads allowed with an error annotation (logged once per namespace)", namespace, reason);
        }
    }

    /** How many namespaces are remembered as logged, for tests. */
    int loggedCount() {
        return logged.size();
    }
}
