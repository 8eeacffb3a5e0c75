package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditPropertiesTest {

    @Test
    void defaultsWhenNothingIsSetThenTenMinutesFiveHundredPodsAPageFiveMinutesABudget() {
        AuditProperties p = new AuditProperties(null, null, null, null, null, null, null);

        assertThat(p.interval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.pageSize()).isEqualTo(500);
        assertThat(p.timeBudget()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.maxResultsPerReport()).isEqualTo(1000);
        assertThat(p.excludeNamespaces()).isEqualTo(List.of("kube-system"));
    }

    @Test
    void constructorWhenThePageSizeOrTheResultsPerReportAreOutOfBoundsThenRefusedWithTheProperty() {
        assertThatThrownBy(() -> new AuditProperties(null, null, 5001, null, null, null, null))
                .hasMessage("podguard.audit.page-size must be between 1 and 5000, not 5001");
        assertThatThrownBy(() -> new AuditProperties(null, null, 0, null, null, null, null))
                .hasMessage("podguard.audit.page-size must be between 1 and 5000, not 0");
        assertThatThrownBy(() -> new AuditProperties(null, null, null, null, null, 0, null))
                .hasMessage("podguard.audit.max-results-per-report must be at least 1, not 0");
    }
}
