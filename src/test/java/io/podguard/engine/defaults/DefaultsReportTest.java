package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DefaultsReportTest {

    @Test
    void warningsWhenManyEntriesThenSplitAt120Characters() {
        List<AppliedDefault> applied = IntStream.range(0, 7)
                .mapToObj(i -> new AppliedDefault("resources", "container app-" + i)).toList();

        List<String> warnings = DefaultsReport.warnings(applied);

        assertThat(warnings).containsExactly(
                "podguard would set: resources (container app-0), resources (container app-1), resources (container app-2)",
                "podguard would set: resources (container app-3), resources (container app-4), resources (container app-5)",
                "podguard would set: resources (container app-6)");
        assertThat(warnings).allMatch(w -> w.length() <= 120);
    }

    @Test
    void warningsWhenOneEntryLongerThanLimitThenAloneOnItsLine() {
        String longName = "x".repeat(130);
        List<String> warnings = DefaultsReport.warnings(List.of(
                new AppliedDefault("preStop", "container a"), new AppliedDefault("preStop", "container " + longName)));

        assertThat(warnings).containsExactly("podguard would set: preStop (container a)",
                "podguard would set: preStop (container " + longName + ")");
    }

    @Test
    void summaryWhenEntriesThenCommaList() {
        assertThat(DefaultsReport.summary(List.of(new AppliedDefault("resources", "container a"), new AppliedDefault("securityContext", "pod"))))
                .isEqualTo("resources (container a), securityContext (pod)");
        assertThat(DefaultsReport.warnings(List.of())).isEmpty();
    }
}
