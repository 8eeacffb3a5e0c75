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

/**
 * What one audit found: every pod judged, grouped by namespace, with the counts that answer
 * "what breaks if enforce is switched on".
 *
 * @param policySource where the policy came from (a file, the ConfigMap, the embedded default)
 * @param namespaces per namespace, sorted by name
 */
public record AuditReport(Instant startedAt, Instant finishedAt, String policySource, SortedMap<String, Namespace> namespaces) {

    public AuditReport {
        namespaces = Collections.unmodifiableSortedMap(new TreeMap<>(namespaces));
    }

    /**
     * @param pods every pod of the namespace that was judged, sorted by name
     */
    public record Namespace(String name, List<PodResult> pods) {

        public Namespace {
            pods = List.copyOf(pods);
        }

        public int wouldBeDenied() {
            return (int) pods.stream().filter(PodResult::wouldBeDenied).count();
        }

        /** For each check, how many pods fail it; in check id order. */
        public SortedMap<String, Integer> checks() {
            SortedMap<String, Integer> counts = new TreeMap<>();
            for (PodResult pod : pods) {
                pod.violations().stream().map(v -> v.rule()).distinct().forEach(id -> counts.merge(id, 1, Integer::sum));
            }
            return counts;
        }

        /** The levels its pods were judged at: one, unless overrides differ within the namespace. */
        public List<String> levels() {
            TreeSet<String> levels = new TreeSet<>();
            pods.forEach(p -> {
                if (p.level() != null) {
                    levels.add(p.level().toString());
                }
            });
            return List.copyOf(levels);
        }

        public List<PodResult> denied() {
            return pods.stream().filter(PodResult::wouldBeDenied).toList();
        }
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    public int pods() {
        return namespaces.values().stream().mapToInt(n -> n.pods().size()).sum();
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
