package io.podguard.audit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.podguard.engine.Json;
import io.podguard.engine.Level;
import io.podguard.engine.Text;
import io.podguard.engine.placement.PlacementKind;
import io.podguard.engine.psp.PspKind;
import io.podguard.engine.pss.Check;
import io.podguard.engine.pss.PodSecurityChecks;
import io.podguard.engine.resources.ResourceRulesKind;
import io.podguard.engine.rules.AdmissionPoliciesKind;
import io.podguard.engine.rules.CelRulesKind;
import java.net.HttpURLConnection;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an audit as {@code wgpolicyk8s.io/v1alpha2} PolicyReports, so
 * {@code kubectl get policyreports -A} and the tools that read them (Policy Reporter,
 * dashboards) show podguard's findings beside Kyverno's. When the CRD is not installed,
 * publishing is skipped with one log line.
 *
 * <p>Each failing pod yields one {@code fail} result per rule it breaks, of every kind (Pod
 * Security Standards checks, resource rules, placement, CEL rules, PodSecurityPolicy rules), each
 * passing pod one {@code pass} result, each pod an exemption of the whole request covers one
 * {@code skip} result; the reasons of the exemptions that made a difference are in each result's
 * {@code properties.exemptions}.
 *
 * <p>Sized for etcd, which refuses objects over 1.5 MiB: a namespace's results are split, as
 * Kyverno's reports controller splits them, over as many reports as it takes for each to hold
 * at most {@code maxResults} results and {@value #MAX_BYTES} bytes of JSON: {@value #NAME} alone
 * while they fit, else {@code NAME}, {@code NAME-1} … {@code NAME-(n-1)} with n a power of two,
 * each pod in the report its name hashes to, so that a pod that comes or goes changes one report
 * only. A message is cut at {@value #MAX_MESSAGE} characters.
 *
 * <p>Written {@value #WRITERS} namespaces at a time while the audit lists on. Only what changed is written: each report carries the SHA-256 of its content (timestamps
 * aside) in {@value #HASH}, the reports already there are listed as metadata only, and a report
 * whose content is the same is left alone. Reports of a namespace podguard no longer judges
 * (no pods left, or excluded) are deleted after a complete run. A write that fails is counted
 * and told, never fatal: the other reports are written all the same.
 */
public final class PolicyReports {

    public static final String NAME = "podguard-pod-security";
    public static final String POLICY = "podguard-pod-security";
    public static final String PASS_RULE = "pod-security-standards";
    public static final String SOURCE = "podguard";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** The SHA-256 of a report's content, timestamps aside: a report whose content is unchanged is not written again. */
    public static final String HASH = "podguard.io/results-sha256";
    public static final int DEFAULT_MAX_RESULTS = 1000;
    /** A report's size as JSON, well under etcd's 1.5 MiB. */
    public static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_MESSAGE = 1024;
    /** Namespaces whose reports are written at once: the apiserver spends far longer on a write than podguard on a namespace. */
    static final int WRITERS = 4;
    /** Namespaces whose reports wait to be written, at most; the audit waits for a place. */
    static final int PENDING = 16;
    /** Reports a namespace is split over at most; 4,096 × 1,000 results is more than any namespace holds pods. */
    private static final int MAX_SPLIT = 4096;

    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind("PolicyReport").withPlural("policyreports")
            .withNamespaced(true).build();

    private static final Logger LOG = LoggerFactory.getLogger(PolicyReports.class);
    /** What a result's timestamp is while its report is measured and hashed: as wide as any real one. */
    private static final long PLACEHOLDER_SECONDS = 9_999_999_999L;

    private final KubernetesClient client;
    private final Map<String, Level> checkLevels = new HashMap<>();
    private final int maxResults;
    private final int maxBytes;
    private final ReportIndex index;

    /**
     * What publishing did.
     *
     * @param published false when nothing could be published (no CRD, no access)
     * @param unchanged reports whose content was already there
     * @param failed writes and deletes the apiserver refused
     */
    public record Outcome(boolean published, int created, int updated, int unchanged, int deleted, int failed, String detail) {

        static Outcome notPublished(String why) {
            return new Outcome(false, 0, 0, 0, 0, 0, why);
        }
    }

    public PolicyReports(KubernetesClient client, int maxResults) {
        this(client, maxResults, MAX_BYTES);
    }

    PolicyReports(KubernetesClient client, int maxResults, int maxBytes) {
        if (maxResults < 1) {
            throw new IllegalArgumentException("maxResults must be at least 1");
        }
        this.client = client;
        this.maxResults = maxResults;
        this.maxBytes = maxBytes;
        this.index = new ReportIndex(client);
        for (Check check : PodSecurityChecks.registry().checks()) {
            checkLevels.put(check.id(), check.level());
        }
    }

    /**
     * Starts publishing one run: lists the reports already there (their metadata).
     *
     * @param mayWrite asked before every write; false stops the run ({@link ClusterAudit.Stopped})
     */
    public Publication begin(Instant at, BooleanSupplier mayWrite) {
        Map<String, Map<String, ReportIndex.Entry>> existing;
        String listError = null;
        try {
            existing = index.list(MANAGED_BY + "=" + SOURCE);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                LOG.info("PolicyReports not published: the wgpolicyk8s.io/v1alpha2 PolicyReport CRD is not installed");
                return new Publication(at, mayWrite, null, "the PolicyReport CRD (wgpolicyk8s.io/v1alpha2) is not installed", true);
            }
            // Written all the same; only what went away cannot be found and deleted this time.
            listError = why(e);
            LOG.warn("could not list the PolicyReports already there ({}): writing them all, deleting none", listError);
            existing = null;
        }
        return new Publication(at, mayWrite, existing, listError, false);
    }

    /** Publishes a whole report at once: {@link #begin}, each namespace with every pod judged, {@link Publication#finish}. */
    public Outcome publish(Instant at, Map<String, List<PodResult>> namespaces) {
        Publication publication = begin(at, () -> true);
        namespaces.forEach(publication::namespace);
        return publication.finish(true);
    }

    /**
     * One run's publication: a {@link ClusterAudit.Sink} that writes each namespace's reports as
     * it comes, {@value #WRITERS} namespaces at a time on threads of its own while the audit lists
     * on (at most {@value #PENDING} namespaces wait, so memory stays bounded), the writes of one
     * namespace in order.
     */
    public final class Publication implements ClusterAudit.Sink {

        private final Instant at;
        private final BooleanSupplier mayWrite;
        private final @Nullable Map<String, Map<String, ReportIndex.Entry>> existing;
        private final @Nullable String problem;
        private final boolean skip;
        private final Set<String> seen = new HashSet<>();
        private final AtomicInteger created = new AtomicInteger();
        private final AtomicInteger updated = new AtomicInteger();
        private final AtomicInteger unchanged = new AtomicInteger();
        private final AtomicInteger deleted = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicLong writingNanos = new AtomicLong();
        private final AtomicReference<String> firstFailure = new AtomicReference<>();
        private volatile @Nullable String stopped;
        private final Semaphore pending = new Semaphore(PENDING);
        private final Map<String, CompletableFuture<Void>> tasks = new HashMap<>();
        private final @Nullable ThreadPoolExecutor writers;

        private Publication(Instant at, BooleanSupplier mayWrite, @Nullable Map<String, Map<String, ReportIndex.Entry>> existing,
                            @Nullable String problem, boolean skip) {
            this.at = at;
            this.mayWrite = mayWrite;
            this.existing = existing;
            this.problem = problem;
            this.skip = skip;
            if (skip) {
                writers = null;
            } else {
                writers = new ThreadPoolExecutor(WRITERS, WRITERS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                        Thread.ofPlatform().name("podguard-reports-", 1).daemon().factory());
                // Threads of a run that ended without finish() (the listing failed) go away by themselves.
                writers.allowCoreThreadTimeOut(true);
            }
        }

        @Override
        public void namespace(String namespace, List<PodResult> pods) {
            if (skip) {
                return;
            }
            checkStopped();
            seen.add(namespace);
            Map<String, ReportIndex.Entry> there = existing == null ? Map.of() : existing.getOrDefault(namespace, Map.of());
            List<Built> wanted = build(namespace, pods, at, there.size());
            List<Runnable> writes = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (Built report : wanted) {
                String name = report.resource().getMetadata().getName();
                names.add(name);
                ReportIndex.Entry old = there.get(name);
                if (old != null && report.hash().equals(old.hash())) {
                    unchanged.incrementAndGet();
                    continue;
                }
                writes.add(() -> write(report.resource(), old));
            }
            for (String name : there.keySet()) {
                if (!names.contains(name)) {
                    writes.add(() -> delete(namespace, name));
                }
            }
            if (existing != null) {
                // A second call for the namespace (listed again whole) compares with what this one writes.
                Map<String, ReportIndex.Entry> now = new HashMap<>();
                for (Built report : wanted) {
                    now.put(report.resource().getMetadata().getName(), new ReportIndex.Entry(null, report.hash()));
                }
                existing.put(namespace, now);
            }
            submit(namespace, writes);
        }

        /**
         * Ends the run's publication: waits for the writes in flight, then deletes what went away.
         *
         * @param complete whether every namespace in scope was handed over: only then are the
         *     reports of namespaces the run did not see deleted
         * @throws ClusterAudit.Stopped when this replica stopped leading while writing
         */
        public Outcome finish(boolean complete) {
            if (skip) {
                return Outcome.notPublished(problem);
            }
            try {
                await();
                if (complete && existing != null) {
                    for (Map.Entry<String, Map<String, ReportIndex.Entry>> ns : new TreeMap<>(existing).entrySet()) {
                        if (!seen.contains(ns.getKey())) {
                            List<Runnable> deletes = new ArrayList<>();
                            for (String name : ns.getValue().keySet()) {
                                deletes.add(() -> delete(ns.getKey(), name));
                            }
                            submit(ns.getKey(), deletes);
                        }
                    }
                    await();
                }
            } finally {
                writers.shutdown();
            }
            StringBuilder detail = new StringBuilder();
            detail.append(created.get()).append(" created, ").append(updated.get()).append(" updated, ").append(unchanged.get())
                    .append(" unchanged, ").append(deleted.get()).append(" deleted");
            if (failed.get() > 0) {
                detail.append(", ").append(failed.get()).append(" failed (").append(firstFailure.get()).append(')');
            }
            if (problem != null) {
                detail.append("; ").append(problem);
            }
            return new Outcome(true, created.get(), updated.get(), unchanged.get(), deleted.get(), failed.get(), detail.toString());
        }

        /** How long the writes and deletes of this publication have taken, added up over the writer threads. */
        public java.time.Duration writing() {
            return java.time.Duration.ofNanos(writingNanos.get());
        }

        /** Runs {@code writes} after the namespace's earlier ones, once one of the {@value #PENDING} places is free. */
        private void submit(String namespace, List<Runnable> writes) {
            if (writes.isEmpty()) {
                return;
            }
            try {
                pending.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterAudit.Stopped("interrupted while writing PolicyReports");
            }
            Runnable task = () -> {
                try {
                    for (Runnable w : writes) {
                        if (stopped != null) {
                            return;
                        }
                        w.run();
                    }
                } catch (ClusterAudit.Stopped e) {
                    stopped = e.getMessage();
                } finally {
                    pending.release();
                }
            };
            CompletableFuture<Void> previous = tasks.get(namespace);
            tasks.put(namespace, previous == null ? CompletableFuture.runAsync(task, writers) : previous.thenRunAsync(task, writers));
        }

        private void await() {
            CompletableFuture.allOf(tasks.values().toArray(CompletableFuture[]::new)).join();
            tasks.clear();
            checkStopped();
        }

        private void checkStopped() {
            if (stopped != null) {
                throw new ClusterAudit.Stopped(stopped);
            }
        }

        private void write(GenericKubernetesResource report, ReportIndex.@Nullable Entry old) {
            checkLeading();
            long start = System.nanoTime();
            try {
                writeNow(report, old);
            } finally {
                writingNanos.addAndGet(System.nanoTime() - start);
            }
        }

        private void writeNow(GenericKubernetesResource report, ReportIndex.@Nullable Entry old) {
            String namespace = report.getMetadata().getNamespace();
            try {
                if (old == null || old.resourceVersion() == null) {
                    create(report, old != null);
                } else {
                    report.getMetadata().setResourceVersion(old.resourceVersion());
                    try {
                        client.genericKubernetesResources(CONTEXT).inNamespace(namespace).resource(report).update();
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                            throw e;
                        }
                        // Changed or deleted since it was listed: written over whatever is there now.
                        report.getMetadata().setResourceVersion(null);
                        client.genericKubernetesResources(CONTEXT).inNamespace(namespace).resource(report)
                                .createOr(op -> op.update());
                    }
                    updated.incrementAndGet();
                }
            } catch (KubernetesClientException e) {
                failed(namespace, report.getMetadata().getName(), "write", e);
            }
        }

        /** @param there whether it is known to be there already (written earlier in this run) */
        private void create(GenericKubernetesResource report, boolean there) {
            String namespace = report.getMetadata().getNamespace();
            if (!there) {
                try {
                    client.genericKubernetesResources(CONTEXT).inNamespace(namespace).resource(report).create();
                    created.incrementAndGet();
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                        throw e;
                    }
                    // There already, though it was not listed (listing failed, or it was made since).
                }
            }
            client.genericKubernetesResources(CONTEXT).inNamespace(namespace).resource(report).update();
            updated.incrementAndGet();
        }

        private void delete(String namespace, String name) {
            checkLeading();
            long start = System.nanoTime();
            try {
                client.genericKubernetesResources(CONTEXT).inNamespace(namespace).withName(name).delete();
                deleted.incrementAndGet();
            } catch (KubernetesClientException e) {
                failed(namespace, name, "delete", e);
            } finally {
                writingNanos.addAndGet(System.nanoTime() - start);
            }
        }

        private void failed(String namespace, String name, String what, KubernetesClientException e) {
            failed.incrementAndGet();
            String why = why(e);
            firstFailure.compareAndSet(null, what + " " + namespace + "/" + name + ": " + why);
            LOG.warn("could not {} PolicyReport {}/{}: {}", what, namespace, name, why);
        }

        private void checkLeading() {
            if (!mayWrite.getAsBoolean()) {
                throw new ClusterAudit.Stopped("no longer allowed to write PolicyReports");
            }
        }
    }

    /** A report as it would be written, and the hash of its content. */
    record Built(GenericKubernetesResource resource, String hash, int bytes) {
    }

    /**
     * The reports of {@code namespace}, split as few ways as fit; {@code splitNow} (how many there
     * are) is kept while it fits and is not more than twice what is needed, so that a namespace
     * near a boundary does not move its pods back and forth between runs.
     */
    List<Built> build(String namespace, List<PodResult> pods, Instant at, int splitNow) {
        Map<String, Object> timestamp = new LinkedHashMap<>();
        timestamp.put("seconds", PLACEHOLDER_SECONDS);
        timestamp.put("nanos", 0);
        List<PodResults> all = new ArrayList<>(pods.size());
        int results = 0;
        // In name order, whatever order the pods were listed in: the same pods make the same reports.
        List<PodResult> sorted = new ArrayList<>(pods);
        sorted.sort(java.util.Comparator.comparing(PodResult::name));
        for (PodResult pod : sorted) {
            PodResults r = results(pod, timestamp);
            if (!r.results().isEmpty()) {
                all.add(r);
                results += r.results().size();
            }
        }
        int needed = 1;
        while (needed < MAX_SPLIT && !fits(all, needed)) {
            needed *= 2;
        }
        int split = Integer.bitCount(splitNow) == 1 && splitNow > needed && splitNow <= 2 * needed && fits(all, splitNow) ? splitNow : needed;
        List<Built> built = new ArrayList<>(split);
        for (int i = 0; i < split; i++) {
            built.add(report(namespace, split == 1 ? NAME : i == 0 ? NAME : NAME + "-" + i, bucket(all, i, split)));
        }
        // Measured and hashed with placeholder timestamps as wide as the real one; now the real one.
        timestamp.put("seconds", at.getEpochSecond());
        if (results > 0 && LOG.isDebugEnabled()) {
            LOG.debug("PolicyReports of {}: {} results in {} reports", namespace, results, split);
        }
        return built;
    }

    private boolean fits(List<PodResults> all, int split) {
        int[] count = new int[split];
        long[] bytes = new long[split];
        for (PodResults pod : all) {
            int b = bucketOf(pod.name(), split);
            count[b] += pod.results().size();
            bytes[b] += pod.bytes();
        }
        for (int i = 0; i < split; i++) {
            // The envelope (metadata, summary) is under 1 KiB.
            if (count[i] > maxResults || bytes[i] + 1024 > maxBytes) {
                return false;
            }
        }
        return true;
    }

    private static List<Map<String, Object>> bucket(List<PodResults> all, int index, int split) {
        List<Map<String, Object>> fails = new ArrayList<>();
        List<Map<String, Object>> passes = new ArrayList<>();
        List<Map<String, Object>> skips = new ArrayList<>();
        for (PodResults pod : all) {
            if (split == 1 || bucketOf(pod.name(), split) == index) {
                for (Map<String, Object> r : pod.results()) {
                    (switch ((String) r.get("result")) {
                        case "fail" -> fails;
                        case "pass" -> passes;
                        default -> skips;
                    }).add(r);
                }
            }
        }
        fails.addAll(passes);
        fails.addAll(skips);
        return fails;
    }

    /** Which of {@code split} reports a pod's results go to: a hash of its name, the same in every run and every replica. */
    static int bucketOf(String podName, int split) {
        int h = podName.hashCode();
        // Spread the bits (MurmurHash3's finaliser): names that differ in their last characters land apart.
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Integer.remainderUnsigned(h, split);
    }

    private Built report(String namespace, String name, List<Map<String, Object>> results) {
        int pass = 0;
        int fail = 0;
        int skip = 0;
        for (Map<String, Object> r : results) {
            switch ((String) r.get("result")) {
                case "pass" -> pass++;
                case "fail" -> fail++;
                default -> skip++;
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("pass", pass);
        summary.put("fail", fail);
        summary.put("warn", 0);
        summary.put("error", 0);
        summary.put("skip", skip);
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder()
                .withApiVersion("wgpolicyk8s.io/v1alpha2")
                .withKind("PolicyReport")
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .addToLabels(MANAGED_BY, SOURCE)
                .endMetadata()
                .addToAdditionalProperties("summary", summary)
                .addToAdditionalProperties("results", results)
                .build();
        byte[] json = Json.mapper().writeValueAsBytes(resource);
        String hash = sha256(json);
        resource.getMetadata().setAnnotations(Map.of(HASH, hash));
        return new Built(resource, hash, json.length + HASH.length() + hash.length() + 24);
    }

    /** One pod's results and their size as JSON. */
    private record PodResults(String name, List<Map<String, Object>> results, long bytes) {
    }

    private PodResults results(PodResult pod, Map<String, Object> timestamp) {
        List<Map<String, Object>> out = new ArrayList<>(Math.max(1, pod.findings().size()));
        String exemptions = String.join("; ", pod.exemptions());
        if (!pod.judged()) {
            if (!exemptions.isEmpty()) {
                Map<String, Object> r = result(pod, PASS_RULE, null, "skip", "exempt: " + exemptions, timestamp);
                r.put("properties", Map.of("exemptions", exemptions));
                out.add(r);
            }
        } else if (pod.wouldBeDenied()) {
            for (PodResult.Finding f : pod.findings()) {
                Map<String, Object> r = result(pod, f.rule(), f.kind(), "fail", f.message(), timestamp);
                Map<String, Object> properties = new LinkedHashMap<>();
                if (f.level() != null) {
                    properties.put("level", f.level());
                }
                if (!f.path().isEmpty()) {
                    properties.put("path", f.path());
                }
                if (pod.owner() != null) {
                    properties.put("owner", pod.owner());
                }
                if (!exemptions.isEmpty()) {
                    properties.put("exemptions", exemptions);
                }
                r.put("properties", properties);
                out.add(r);
            }
        } else {
            Map<String, Object> r = result(pod, PASS_RULE, null, "pass",
                    pod.level() == null ? "allowed" : "allowed by PodSecurity \"" + pod.level() + "\"", timestamp);
            if (!exemptions.isEmpty()) {
                r.put("properties", Map.of("exemptions", exemptions));
            }
            out.add(r);
        }
        long bytes = out.isEmpty() ? 0 : Json.mapper().writeValueAsBytes(out).length;
        return new PodResults(pod.name(), out, bytes);
    }

    private Map<String, Object> result(PodResult pod, String rule, @Nullable String kind, String outcome, String message,
                                       Map<String, Object> timestamp) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("policy", POLICY);
        r.put("rule", rule);
        Level level = checkLevels.get(rule);
        r.put("category", category(kind, level));
        if (outcome.equals("fail")) {
            r.put("severity", level == Level.BASELINE || PspKind.ID.equals(kind) ? "high" : "medium");
        }
        r.put("result", outcome);
        r.put("scored", true);
        r.put("source", SOURCE);
        r.put("message", message.length() > MAX_MESSAGE ? Text.cut(message, MAX_MESSAGE - 1) : message);
        r.put("timestamp", timestamp);
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("apiVersion", "v1");
        resource.put("kind", "Pod");
        resource.put("name", pod.name());
        resource.put("namespace", pod.namespace());
        if (pod.uid() != null) {
            resource.put("uid", pod.uid());
        }
        r.put("resources", List.of(resource));
        return r;
    }

    /** The rule kind's name; the Pod Security Standards' with the check's level (a pass names no kind). */
    private static String category(@Nullable String kind, @Nullable Level level) {
        if (kind == null) {
            return "Pod Security Standards";
        }
        return switch (kind) {
            case ResourceRulesKind.ID -> "Resource rules";
            case PlacementKind.ID -> "Placement";
            case CelRulesKind.ID -> "Rules";
            case AdmissionPoliciesKind.ID -> "ValidatingAdmissionPolicy";
            case PspKind.ID -> "PodSecurityPolicy";
            default -> "Pod Security Standards" + (level == null ? "" : " (" + capitalized(level) + ")");
        };
    }

    private static String capitalized(Level level) {
        return Character.toUpperCase(level.id().charAt(0)) + level.id().substring(1);
    }

    /** {@code 403 policyreports.wgpolicyk8s.io is forbidden: …}: the code and the apiserver's own words. */
    static String why(KubernetesClientException e) {
        if (e.getCode() > 0) {
            String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
            return e.getCode() + " " + Text.oneLine(message);
        }
        return Text.oneLine(String.valueOf(e.getCause() != null ? e.getCause() : e.getMessage()));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
