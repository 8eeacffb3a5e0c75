package io.podguard.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.report.MutationMetrics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring for defaulting (/mutate): its metrics observer. */
@Configuration(proxyBeanMethods = false)
class DefaultsConfiguration {

    @Bean
    MutationMetrics mutationMetrics(MeterRegistry registry) {
        return new MutationMetrics(registry);
    }
}
