package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Anyone reaching the port names any namespace: the count has no namespace label, the set of logged names is bounded. */
class UnreadableNamespacesTest {

    @Test
    void inventedNamespacesThenOneSeriesAndABoundedLogSet() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UnreadableNamespaces unreadable = new UnreadableNamespaces(registry);

        for (int i = 0; i < 3 * UnreadableNamespaces.MAX_LOGGED; i++) {
            unreadable.refused(new Review("validate", "u", "", "v1", "Pod", "CREATE", "ns-" + i, "p", "alice", false), "not found");
        }

        assertThat(registry.get(MetricNames.NAMESPACE_UNAVAILABLE).tag(MetricNames.WEBHOOK, "validate").counter().count())
                .isEqualTo(3.0 * UnreadableNamespaces.MAX_LOGGED);
        assertThat(registry.find(MetricNames.NAMESPACE_UNAVAILABLE).counters()).hasSize(2); // mutate and validate, nothing else
        assertThat(unreadable.loggedCount()).isLessThanOrEqualTo(UnreadableNamespaces.MAX_LOGGED);
    }
}
