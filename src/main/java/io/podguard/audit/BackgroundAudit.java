package io.podguard.audit;

import io.podguard.engine.Text;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.Stage;
import io.podguard.policy.PolicyStore;
import io.podguard.report.MetricNames;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link ClusterAudit} on one background thread: at start-up, every {@code interval},
 * and whenever the policy changes ({@link #trigger()}; requests that arrive while a run is
 * queued are folded into it). Keeps the last report for {@code GET /audit} and publishes
 * PolicyReports. A failed run keeps the previous report and says why.
 */
public final class BackgroundAudit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundAudit.class);

    private final ClusterAudit audit;
    private final @Nullable PolicyReports reports;
    private final Supplier<PolicyStore.Snapshot> policy;
    private final ClusterAudit.Scope scope;
    private final Duration interval;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Counter succeeded;
    private final Counter failed;
    private volatile Status status = new Status(null, null, null, null);

    /**
     * @param report the last successful run, null before the first
     * @param policyReports what publishing it did, null when PolicyReports are off
     * @param lastError why the last run failed, null when it succeeded
     */
    public record Status(@Nullable AuditReport report, PolicyReports.@Nullable Outcome policyReports,
                         @Nullable String lastError, @Nullable Instant lastErrorAt) {
    }

    public BackgroundAudit(ClusterAudit audit, @Nullable PolicyReports reports, Supplier<PolicyStore.Snapshot> policy,
                           ClusterAudit.Scope scope, Duration interval, MeterRegistry registry) {
        this.audit = audit;
        this.reports = reports;
        this.policy = policy;
        this.scope = scope;
        this.interval = interval;
        this.executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("podguard-audit").daemon().factory());
        this.succeeded = Counter.builder(MetricNames.AUDIT_RUNS).tag(MetricNames.RESULT, "success")
                .description("Background audits of the cluster's pods").register(registry);
        this.failed = Counter.builder(MetricNames.AUDIT_RUNS).tag(MetricNames.RESULT, "failure")
                .description("Background audits of the cluster's pods").register(registry);
        Gauge.builder(MetricNames.AUDIT_PODS, this, b -> b.count(false)).tag(MetricNames.RESULT, "allowed")
                .description("Pods of the last background audit, by what enforce would do").register(registry);
        Gauge.builder(MetricNames.AUDIT_PODS, this, b -> b.count(true)).tag(MetricNames.RESULT, "denied")
                .description("Pods of the last background audit, by what enforce would do").register(registry);
        Gauge.builder(MetricNames.AUDIT_LAST_RUN, this, b -> b.status.report() == null ? Double.NaN
                        : b.status.report().finishedAt().toEpochMilli() / 1000.0)
                .description("When the last background audit finished").register(registry);
    }

    public Duration interval() {
        return interval;
    }

    /** Runs now, then every interval. */
    public void start() {
        executor.scheduleWithFixedDelay(this::runQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a run soon, e.g. after a policy change; at most one extra run is queued. */
    public void trigger() {
        if (queued.compareAndSet(false, true)) {
            executor.execute(() -> {
                queued.set(false);
                runQuietly();
            });
        }
    }

    public Status status() {
        return status;
    }

    /** One run, on the caller's thread; for tests and the scheduler. */
    public Status runOnce() {
        PolicyStore.Snapshot snapshot = policy.get();
        try {
            // Running pods are judged as they are: the webhook defaulted them when they were created.
            AuditReport report = audit.run(snapshot.resolver(), snapshot.source(), scope, Stage.AS_WRITTEN);
            PolicyReports.Outcome outcome = reports == null ? null : publish(report);
            status = new Status(report, outcome, null, null);
            succeeded.increment();
            LOG.info("audit: {} pods in {} namespaces, {} would be denied under enforce ({} ms){}", report.pods(),
                    report.namespaces().size(), report.wouldBeDenied(), report.duration().toMillis(),
                    outcome == null ? "" : "; PolicyReports: " + outcome.detail());
        } catch (KubernetesClientException e) {
            fail(e.getCode() > 0 ? e.getCode() + " " + Text.oneLine(e.getMessage()) : Text.oneLine(String.valueOf(e.getCause())));
        } catch (RuntimeException e) {
            LOG.error("audit failed", e);
            fail(e.getClass().getSimpleName() + ": " + Text.oneLine(e.getMessage()));
        }
        return status;
    }

    /** A report that could not be published is still a report: the failure is told, not fatal. */
    private PolicyReports.Outcome publish(AuditReport report) {
        try {
            return reports.publish(report);
        } catch (KubernetesClientException e) {
            String why = e.getCode() > 0 ? e.getCode() + " " + Text.oneLine(e.getMessage()) : Text.oneLine(String.valueOf(e.getCause()));
            LOG.warn("PolicyReports not published: {}", why);
            return new PolicyReports.Outcome(false, 0, 0, "not published: " + why);
        }
    }

    private void fail(String why) {
        failed.increment();
        Status previous = status;
        status = new Status(previous.report(), previous.policyReports(), why, Instant.now());
        LOG.warn("audit failed: {}", why);
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (Throwable t) {
            // A scheduled task that throws is never run again: keep the schedule alive.
            LOG.error("audit failed", t);
        }
    }

    private double count(boolean denied) {
        AuditReport report = status.report();
        if (report == null) {
            return Double.NaN;
        }
        return denied ? report.wouldBeDenied() : report.pods() - report.wouldBeDenied();
    }


    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
