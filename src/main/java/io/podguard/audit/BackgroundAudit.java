package io.podguard.audit;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.Json;
import io.podguard.engine.Stage;
import io.podguard.engine.Text;
import io.podguard.policy.PolicyStore;
import io.podguard.report.MetricNames;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the {@link ClusterAudit} on one background thread while this replica leads
 * ({@link #lead()}; without leader election it always does): every {@code interval}, and
 * whenever the policy changes ({@link #trigger()}; requests that arrive while a run is queued are
 * folded into it). Publishes PolicyReports namespace by namespace as the run goes, and the run's
 * document ({@code GET /audit}) to the {@link SharedResults} the other replicas serve it from.
 *
 * <p>One sweep per interval across replicas: a replica that takes over runs first when the last
 * shared run is an interval old (at once when that run was under another policy, or there is
 * none), not at once. A replica that stops leading ({@link #follow()}) stops its run at the next
 * page or write. A failed run keeps the previous report and says why; a run that outlives its
 * time budget publishes the namespaces it finished, keeps the previous results of the others, and
 * deletes nothing.
 */
public final class BackgroundAudit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundAudit.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final ClusterAudit audit;
    private final @Nullable PolicyReports reports;
    private final @Nullable SharedResults shared;
    private final Supplier<PolicyStore.Snapshot> policy;
    private final ClusterAudit.Scope scope;
    private final Duration interval;
    private final @Nullable Duration budget;
    private final BooleanSupplier mayWrite;
    private final String identity;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter incomplete;
    private final Map<String, Counter> reportWrites = new TreeMap<>();
    private final AtomicLong judged = new AtomicLong();
    private volatile boolean leading;
    private volatile boolean closed;
    private volatile Status status = new Status(null, null, null, null);
    private volatile @Nullable ObjectNode document;
    private @Nullable ScheduledFuture<?> next;

    /**
     * @param report the last successful run, null before the first
     * @param policyReports what publishing it did, null when PolicyReports are off
     * @param lastError why the last run failed, null when it succeeded
     */
    public record Status(@Nullable AuditReport report, PolicyReports.@Nullable Outcome policyReports,
                         @Nullable String lastError, @Nullable Instant lastErrorAt) {
    }

    /**
     * @param shared where the leader shares its runs with the other replicas; null without
     *     leader election (this replica is the only one that audits)
     * @param budget how long a run may take; null for no limit
     * @param mayWrite whether this replica still leads, asked before every page and every write:
     *     a replica that lost the Lease stops at once, before it is told
     * @param identity this replica's name, as the leader election knows it
     */
    public BackgroundAudit(ClusterAudit audit, @Nullable PolicyReports reports, @Nullable SharedResults shared,
                           Supplier<PolicyStore.Snapshot> policy, ClusterAudit.Scope scope, Duration interval,
                           @Nullable Duration budget, BooleanSupplier mayWrite, String identity, Clock clock, MeterRegistry registry) {
        this.audit = audit;
        this.reports = reports;
        this.shared = shared;
        this.policy = policy;
        this.scope = scope;
        this.interval = interval;
        this.budget = budget;
        this.mayWrite = mayWrite;
        this.identity = identity;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("podguard-audit").daemon().factory());
        this.succeeded = runs(registry, "success");
        this.failed = runs(registry, "failure");
        this.incomplete = runs(registry, "incomplete");
        for (String result : new String[] {"created", "updated", "unchanged", "deleted", "failed"}) {
            reportWrites.put(result, Counter.builder(MetricNames.POLICY_REPORT_WRITES).tag(MetricNames.RESULT, result)
                    .description("PolicyReports the background audit created, updated, left unchanged, deleted, or failed to write")
                    .register(registry));
        }
        Gauge.builder(MetricNames.AUDIT_PODS, this, b -> b.total("wouldBeDenied", true)).tag(MetricNames.RESULT, "denied")
                .description("Pods of the last background audit, by what enforce would do").register(registry);
        Gauge.builder(MetricNames.AUDIT_PODS, this, b -> b.total("pods", false) - b.total("wouldBeDenied", false))
                .tag(MetricNames.RESULT, "allowed")
                .description("Pods of the last background audit, by what enforce would do").register(registry);
        Gauge.builder(MetricNames.AUDIT_LAST_RUN, this, b -> b.instant("finishedAt"))
                .description("When the last background audit finished").register(registry);
        Gauge.builder(MetricNames.AUDIT_LAST_RUN_DURATION, this, b -> b.total("durationMillis", false) / 1000.0)
                .description("How long the last background audit took").register(registry);
        Gauge.builder(MetricNames.AUDIT_PODS_JUDGED, judged, AtomicLong::get)
                .description("Pods the background audit in progress (or this replica's last) has judged so far").register(registry);
    }

    public Duration interval() {
        return interval;
    }

    /** This replica leads: it audits, the first time when the last shared run is an interval old. */
    public void lead() {
        execute(() -> {
            if (closed || leading) {
                return;
            }
            leading = true;
            Duration wait = firstRunIn();
            LOG.info("background audit: this replica audits now; first run {}", wait.isZero() ? "now" : "in " + wait.toSeconds() + " s");
            schedule(wait);
        });
    }

    /** Another replica leads: no more runs here; one in progress stops at its next page or write. */
    public void follow() {
        leading = false;
        execute(() -> {
            if (next != null) {
                next.cancel(false);
                next = null;
            }
        });
    }

    /** Starts auditing on a replica that always leads (no leader election). */
    public void start() {
        lead();
    }

    /** Asks for a run soon, e.g. after a policy change; folded into one already queued. Only the leader runs it. */
    public void trigger() {
        execute(() -> {
            if (leading && !closed) {
                schedule(Duration.ZERO);
            }
        });
    }

    public Status status() {
        return status;
    }

    /** On the audit's thread; nothing once closed (the leader election may still tell it something while the server stops). */
    private void execute(Runnable task) {
        if (closed) {
            return;
        }
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /**
     * What {@code GET /audit} serves on this replica: this replica's last run when it is newer
     * than the shared one (it leads, or led last), else the leader's shared run; null when no run
     * has finished anywhere.
     *
     * @throws KubernetesClientException when the shared run cannot be read
     */
    public @Nullable ObjectNode document() {
        ObjectNode local = document;
        if (shared == null) {
            return local;
        }
        if (leading && local != null) {
            return local;
        }
        ObjectNode remote = shared.read();
        return remote != null ? remote : local;
    }

    /** One run, on the caller's thread; for tests and the scheduler. Runs whether or not this replica leads. */
    public Status runOnce() {
        return run(true);
    }

    /** @param forced run (and share) whether or not this replica was told it leads */
    private Status run(boolean forced) {
        PolicyStore.Snapshot snapshot = policy.get();
        Instant started = clock.instant();
        judged.set(0);
        AtomicLong lastLog = new AtomicLong(System.nanoTime());
        ClusterAudit.Control control = new ClusterAudit.Control(budget, () -> (forced || leading) && !closed && mayWrite.getAsBoolean(), pods -> {
            judged.set(pods);
            if (System.nanoTime() - lastLog.get() > PROGRESS_EVERY.toNanos()) {
                lastLog.set(System.nanoTime());
                LOG.info("audit: {} pods judged so far ({} s)", pods, Duration.between(started, clock.instant()).toSeconds());
            }
        });
        try {
            PolicyReports.Publication publication = reports == null ? null : reports.begin(started, control.mayGoOn());
            // Running pods are judged as they are: the webhook defaulted them when they were created.
            AuditReport report = audit.run(snapshot.resolver(), snapshot.source(), scope, Stage.AS_WRITTEN,
                    publication == null ? ClusterAudit.Sink.NONE : publication::namespace, control);
            PolicyReports.Outcome outcome = publication == null ? null : publication.finish(report.complete());
            if (outcome != null) {
                count(outcome);
            }
            if (!report.complete()) {
                report = carriedOver(report);
                incomplete.increment();
                LOG.warn("audit incomplete: {}; the namespaces it did not reach keep their previous results", report.incomplete());
            } else {
                succeeded.increment();
            }
            status = new Status(report, outcome, null, null);
            LOG.info("audit: {} pods in {} namespaces, {} would be denied under enforce ({} ms){}", report.pods(),
                    report.namespaces().size(), report.wouldBeDenied(), report.duration().toMillis(),
                    outcome == null ? "" : "; PolicyReports: " + outcome.detail() + " (writes took " + publication.writing().toMillis() + " ms in all)");
        } catch (ClusterAudit.Stopped e) {
            LOG.info("audit stopped: this replica no longer leads ({})", e.getMessage());
            return status;
        } catch (KubernetesClientException e) {
            fail(PolicyReports.why(e));
        } catch (RuntimeException e) {
            LOG.error("audit failed", e);
            fail(e.getClass().getSimpleName() + ": " + Text.oneLine(e.getMessage()));
        }
        share(snapshot, forced);
        return status;
    }

    /** An incomplete run's report, with the previous results of the namespaces it did not reach. */
    private AuditReport carriedOver(AuditReport report) {
        AuditReport previous = status.report();
        if (previous == null) {
            return report;
        }
        Map<String, AuditReport.Namespace> merged = new TreeMap<>(previous.namespaces());
        merged.putAll(report.namespaces());
        return new AuditReport(report.startedAt(), report.finishedAt(), report.policySource(), new TreeMap<>(merged), report.incomplete());
    }

    private void count(PolicyReports.Outcome outcome) {
        reportWrites.get("created").increment(outcome.created());
        reportWrites.get("updated").increment(outcome.updated());
        reportWrites.get("unchanged").increment(outcome.unchanged());
        reportWrites.get("deleted").increment(outcome.deleted());
        reportWrites.get("failed").increment(outcome.failed());
    }

    private void fail(String why) {
        failed.increment();
        Status previous = status;
        status = new Status(previous.report(), previous.policyReports(), why, clock.instant());
        LOG.warn("audit failed: {}", why);
    }

    /** Renders this run for {@code /audit} and, when leading, shares it with the other replicas. */
    private void share(PolicyStore.Snapshot snapshot, boolean forced) {
        String fingerprint = fingerprint(snapshot);
        ObjectNode full = AuditDocument.render(status, identity, interval, fingerprint, true);
        document = full;
        if (shared == null || !(forced || leading) || closed || !mayWrite.getAsBoolean()) {
            return;
        }
        try {
            if (shared.publish(full, AuditDocument.render(status, identity, interval, fingerprint, false))) {
                LOG.warn("the audit is too large to share whole through {}: the other replicas serve its counts without the pods", shared.describe());
            }
        } catch (KubernetesClientException e) {
            LOG.warn("could not share the audit through {}: {}", shared.describe(), PolicyReports.why(e));
        }
    }

    /** When the first run of a new leader is due: an interval after the last shared run under the same policy. */
    Duration firstRunIn() {
        if (shared == null) {
            return Duration.ZERO;
        }
        ObjectNode last;
        try {
            last = shared.read();
        } catch (KubernetesClientException e) {
            LOG.warn("could not read the last shared audit from {}: {}; running now", shared.describe(), PolicyReports.why(e));
            return Duration.ZERO;
        }
        if (last == null || last.path("finishedAt").isMissingNode() || last.has("lastError")
                || !fingerprint(policy.get()).equals(last.path("policyFingerprint").asString(""))) {
            return Duration.ZERO;
        }
        if (document == null) {
            document = last;
        }
        Instant due = Instant.parse(last.path("finishedAt").asString()).plus(interval);
        Duration wait = Duration.between(clock.instant(), due);
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(interval) > 0 ? interval : wait;
    }

    private void schedule(Duration delay) {
        if (next != null) {
            if (!next.isDone() && next.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
                return;
            }
            next.cancel(false);
        }
        next = executor.schedule(this::runAndReschedule, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runAndReschedule() {
        next = null;
        if (!leading || closed) {
            return;
        }
        try {
            run(false);
        } catch (Throwable t) {
            // A scheduled task that throws is never run again: keep the schedule alive.
            LOG.error("audit failed", t);
        }
        if (leading && !closed) {
            schedule(interval);
        }
    }

    /** A figure of the run {@code /audit} serves here; NaN before any. */
    private double total(String field, boolean ignored) {
        ObjectNode doc = safeDocument();
        if (doc == null) {
            return Double.NaN;
        }
        if (field.equals("durationMillis")) {
            return doc.path("durationMillis").isNumber() ? doc.path("durationMillis").asDouble() : Double.NaN;
        }
        return doc.path("totals").path(field).isNumber() ? doc.path("totals").path(field).asDouble() : Double.NaN;
    }

    private double instant(String field) {
        ObjectNode doc = safeDocument();
        return doc == null || !doc.path(field).isString() ? Double.NaN : Instant.parse(doc.path(field).asString()).toEpochMilli() / 1000.0;
    }

    /** For metrics: what {@link #document()} serves, without asking the apiserver on a scrape. */
    private @Nullable ObjectNode safeDocument() {
        ObjectNode local = document;
        if (shared == null || leading && local != null) {
            return local;
        }
        ObjectNode remote = shared.cached();
        return remote != null ? remote : local;
    }

    static String fingerprint(PolicyStore.Snapshot snapshot) {
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(snapshot.policy());
        } catch (RuntimeException e) {
            // Not every part of a policy need serialise; then its source stands for it.
            bytes = snapshot.source().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Counter runs(MeterRegistry registry, String result) {
        return Counter.builder(MetricNames.AUDIT_RUNS).tag(MetricNames.RESULT, result)
                .description("Background audits of the cluster's pods").register(registry);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        leading = false;
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
