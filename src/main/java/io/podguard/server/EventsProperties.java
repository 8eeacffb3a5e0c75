package io.podguard.server;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code podguard.events.*}: PolicyViolation Events.
 *
 * @param enabled null (default): on when podguard has cluster access (in a pod, or {@code podguard.kubeconfig})
 * @param perKeyInterval at most one Event per namespace and check in this window (default 1m)
 * @param maxPerMinute at most this many Events a minute in all (default 30)
 * @param queueCapacity Events waiting to be written; more are dropped and counted (default 1000)
 */
@ConfigurationProperties("podguard.events")
public record EventsProperties(
        @Nullable Boolean enabled,
        @Nullable Duration perKeyInterval,
        @Nullable Integer maxPerMinute,
        @Nullable Integer queueCapacity) {

    public EventsProperties {
        perKeyInterval = perKeyInterval == null ? Duration.ofMinutes(1) : perKeyInterval;
        maxPerMinute = maxPerMinute == null ? 30 : maxPerMinute;
        queueCapacity = queueCapacity == null ? 1000 : queueCapacity;
    }
}
