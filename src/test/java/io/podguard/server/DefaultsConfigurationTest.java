package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.report.ReviewObserver;
import io.podguard.report.MutationMetrics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class DefaultsConfigurationTest {

    @Test
    void contextWhenDefaultsConfigurationThenMutationMetricsIsAReviewObserver() {
        new ApplicationContextRunner()
                .withUserConfiguration(DefaultsConfiguration.class)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    assertThat(context).hasSingleBean(MutationMetrics.class);
                    assertThat(context.getBeansOfType(ReviewObserver.class)).containsKey("mutationMetrics");
                });
    }
}
