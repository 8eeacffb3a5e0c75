package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.podguard.admission.AdmissionObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.admission.AdmissionResponse;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Request counters and the review-duration histogram. Meters are cached: no lookup per request. */
public final class AdmissionMetrics implements AdmissionObserver {

    private static final Duration[] BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)
    };

    private final MeterRegistry registry;
    private final Map<Endpoint, Timer> durations = new EnumMap<>(Endpoint.class);
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Endpoint endpoint : Endpoint.values()) {
            durations.put(endpoint, Timer.builder(MetricNames.ADMISSION_REVIEW_DURATION)
                    .description("Time to answer one AdmissionReview, from decoding to encoding")
                    .tag(MetricNames.WEBHOOK, endpoint.id())
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry));
        }
    }

    @Override
    public void reviewed(Endpoint endpoint, AdmissionRequest request, AdmissionResponse response, long nanos) {
        durations.get(endpoint).record(nanos, TimeUnit.NANOSECONDS);
        String key = endpoint.id() + '|' + request.operation() + '|' + response.allowed() + '|' + request.dryRun() + '|' + response.mode();
        requests.computeIfAbsent(key, k -> Counter.builder(MetricNames.ADMISSION_REQUESTS)
                .description("AdmissionReviews answered")
                .tag(MetricNames.WEBHOOK, endpoint.id())
                .tag(MetricNames.OPERATION, request.operation())
                .tag(MetricNames.ALLOWED, Boolean.toString(response.allowed()))
                .tag(MetricNames.DRY_RUN, Boolean.toString(request.dryRun()))
                .tag(MetricNames.MODE, response.mode())
                .register(registry)).increment();
    }

    @Override
    public void rejected(Endpoint endpoint, BadReviewException error) {
        Counter.builder(MetricNames.ADMISSION_BAD_REQUESTS)
                .description("Requests refused as malformed")
                .tag(MetricNames.WEBHOOK, endpoint.id())
                .tag(MetricNames.STATUS, Integer.toString(error.status()))
                .register(registry).increment();
    }
}
