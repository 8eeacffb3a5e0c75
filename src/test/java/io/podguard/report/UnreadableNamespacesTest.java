package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Anyone reaching the port names any namespace: the count has no namespace label, the set of logged names is bounded. */
class UnreadableNamespacesTest {

    private long now;

    @Test
    void inventedNamespacesThenOneSeriesABoundedLogSetAndBoundedLines() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        java.util.List<String> lines = new java.util.ArrayList<>();
        UnreadableNamespaces unreadable = new UnreadableNamespaces(registry, () -> now, lines::add);

        for (int i = 0; i < 3 * UnreadableNamespaces.MAX_LOGGED; i++) {
            unreadable.refused(new Review("validate", "u", "", "v1", "Pod", "CREATE", "ns-" + i, "p", "alice", false), "not found");
        }

        assertThat(registry.get(MetricNames.NAMESPACE_UNAVAILABLE).tag(MetricNames.WEBHOOK, "validate").counter().count())
                .isEqualTo(3.0 * UnreadableNamespaces.MAX_LOGGED);
        assertThat(registry.find(MetricNames.NAMESPACE_UNAVAILABLE).counters()).hasSize(2); // mutate and validate, nothing else
        assertThat(unreadable.loggedCount()).isLessThanOrEqualTo(UnreadableNamespaces.MAX_LOGGED);
        assertThat(lines).hasSize(UnreadableNamespaces.LINES_PER_MINUTE);
        assertThat(lines.getFirst()).isEqualTo("namespace \"ns-0\" could not be read (not found): pods it could decide are refused until it can be, "
                + "workloads allowed with an error annotation (logged once per namespace, at most 10 a minute)");

        now += 60_000_000_000L;
        unreadable.refused(new Review("mutate", "u", "", "v1", "Pod", "CREATE", "late", "p", "alice", false), "not found");
        unreadable.refused(new Review("mutate", "u", "", "v1", "Pod", "CREATE", "late", "p", "alice", false), "not found");

        assertThat(lines).hasSize(UnreadableNamespaces.LINES_PER_MINUTE + 1);
        assertThat(lines.getLast()).endsWith(" (" + (3 * UnreadableNamespaces.MAX_LOGGED - 10) + " more namespaces not logged before this one)");
    }
}
