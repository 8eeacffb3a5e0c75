package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Request counters, the review-duration histogram, bad requests and podguard's own failures
 * ({@code podguard_admission_errors_total}, apart from bad input). Meters are cached: no lookup
 * per request.
 */
public final class AdmissionMetrics implements ReviewObserver {

    /** The webhooks, as {@link Review#webhook()} names them. */
    public static final List<String> WEBHOOKS = List.of("mutate", "validate");

    private static final Duration[] BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)
    };

    private final MeterRegistry registry;
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<RequestSeries, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final UnreadableNamespaces unreadable;

    /** One series of {@code podguard_admission_requests_total}: a small key, no text built per review. */
    private record RequestSeries(String webhook, String operation, boolean allowed, boolean dryRun, String mode) {
    }

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.unreadable = new UnreadableNamespaces(registry);
        for (String webhook : WEBHOOKS) {
            durations.put(webhook, Timer.builder(MetricNames.ADMISSION_REVIEW_DURATION)
                    .description("Time to answer one AdmissionReview, from decoding to encoding")
                    .tag(MetricNames.WEBHOOK, webhook)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry));
            errors.put(webhook, error(webhook));
        }
    }

    private Counter error(String webhook) {
        return Counter.builder(MetricNames.ADMISSION_ERRORS)
                .description("Reviews podguard failed to answer through a fault of its own (answered 500); bad input is not counted here")
                .tag(MetricNames.WEBHOOK, webhook)
                .register(registry);
    }

    @Override
    public void reviewed(Review review, boolean allowed, String mode, long nanos) {
        Timer timer = durations.get(review.webhook());
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
        requests.computeIfAbsent(new RequestSeries(review.webhook(), review.operation(), allowed, review.dryRun(), mode), k -> Counter.builder(MetricNames.ADMISSION_REQUESTS)
                .description("AdmissionReviews answered")
                .tag(MetricNames.WEBHOOK, review.webhook())
                .tag(MetricNames.OPERATION, review.operation())
                .tag(MetricNames.ALLOWED, Boolean.toString(allowed))
                .tag(MetricNames.DRY_RUN, Boolean.toString(review.dryRun()))
                .tag(MetricNames.MODE, mode)
                .register(registry)).increment();
    }

    @Override
    public void rejected(String webhook, int status) {
        Counter.builder(MetricNames.ADMISSION_BAD_REQUESTS)
                .description("Requests refused as malformed")
                .tag(MetricNames.WEBHOOK, webhook)
                .tag(MetricNames.STATUS, Integer.toString(status))
                .register(registry).increment();
    }

    @Override
    public void namespaceUnavailable(Review review, String reason) {
        unreadable.refused(review, reason);
    }

    @Override
    public void failed(String webhook, Throwable error) {
        errors.computeIfAbsent(webhook, this::error).increment();
    }
}
