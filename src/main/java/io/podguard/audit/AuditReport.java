package io.podguard.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What one audit found, grouped by namespace, with the counts that answer "what breaks if
 * enforce is switched on". Per namespace it keeps counts and the pods enforcement would deny,
 * not every pod judged: the report of a cluster of 100,000 pods stays small.
 *
 * @param policySource where the policy came from (a file, the ConfigMap, the embedded default)
 * @param namespaces per namespace, sorted by name
 * @param incomplete why the run stopped before it had judged every pod (its time budget ran
 *     out), null when it judged them all; the namespaces it did not reach are not in the report
 */
public record AuditReport(Instant startedAt, Instant finishedAt, String policySource, SortedMap<String, Namespace> namespaces,
                          @Nullable String incomplete) {

    public AuditReport {
        namespaces = Collections.unmodifiableSortedMap(new TreeMap<>(namespaces));
    }

    public AuditReport(Instant startedAt, Instant finishedAt, String policySource, SortedMap<String, Namespace> namespaces) {
        this(startedAt, finishedAt, policySource, namespaces, null);
    }

    /**
     * One namespace.
     *
     * @param pods how many of its pods were judged
     * @param checks for each rule, how many pods fail it; in rule id order
     * @param levels the levels its pods were judged at: one, unless overrides differ within the namespace
     * @param denied the pods enforcement would deny, sorted by name
     */
    public record Namespace(String name, int pods, SortedMap<String, Integer> checks, List<String> levels, List<PodResult> denied) {

        public Namespace {
            checks = Collections.unmodifiableSortedMap(new TreeMap<>(checks));
            levels = List.copyOf(levels);
            denied = List.copyOf(denied);
        }

        /** The summary of {@code pods}, every pod of the namespace that was judged. */
        public static Namespace of(String name, List<PodResult> pods) {
            SortedMap<String, Integer> checks = new TreeMap<>();
            TreeSet<String> levels = new TreeSet<>();
            List<PodResult> denied = new ArrayList<>();
            for (PodResult pod : pods) {
                pod.findings().stream().map(PodResult.Finding::rule).distinct().forEach(id -> checks.merge(id, 1, Integer::sum));
                if (pod.level() != null) {
                    levels.add(pod.level());
                }
                if (pod.wouldBeDenied()) {
                    denied.add(pod);
                }
            }
            denied.sort(java.util.Comparator.comparing(PodResult::name));
            return new Namespace(name, pods.size(), checks, List.copyOf(levels), denied);
        }

        public int wouldBeDenied() {
            return denied.size();
        }
    }

    public boolean complete() {
        return incomplete == null;
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    public int pods() {
        return namespaces.values().stream().mapToInt(Namespace::pods).sum();
    }

    public int wouldBeDenied() {
        return namespaces.values().stream().mapToInt(Namespace::wouldBeDenied).sum();
    }

    /** For each check, how many pods fail it across the cluster. */
    public SortedMap<String, Integer> checks() {
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (Namespace ns : namespaces.values()) {
            for (Map.Entry<String, Integer> e : ns.checks().entrySet()) {
                counts.merge(e.getKey(), e.getValue(), Integer::sum);
            }
        }
        return counts;
    }

    public List<PodResult> denied() {
        List<PodResult> all = new ArrayList<>();
        namespaces.values().forEach(ns -> all.addAll(ns.denied()));
        return all;
    }
}
