package io.podguard.engine.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' algebra of tolerations, as {@code k8s.io/kubernetes/pkg/util/tolerations} and
 * {@code AddOrUpdateTolerationInPod} define it: which toleration covers which, merging default
 * tolerations into a pod's, checking a pod's against a whitelist. Written here because no Java
 * library implements it; each method follows the Go function of the same name, step by step, and
 * PlacementPluginsIT compares the results with the plugins run.
 */
public final class Tolerations {

    /**
     * The most tolerations podguard merges or checks in one pod. Merging is quadratic, as upstream's;
     * a pod is far below this (a DaemonSet pod carries a dozen), a hostile one is refused.
     */
    public static final int MAX = 1_000;

    private Tolerations() {
    }

    /** Whether {@code ss} tolerates everything {@code t} does ({@code isSuperset}). */
    public static boolean isSuperset(Toleration ss, Toleration t) {
        if (t.equals(ss)) {
            return true;
        }
        // An empty key with Exists matches every key.
        if (!t.key().equals(ss.key()) && (!ss.key().isEmpty() || !Toleration.EXISTS.equals(ss.operator()))) {
            return false;
        }
        // An empty effect matches every effect.
        if (!t.effect().equals(ss.effect()) && !ss.effect().isEmpty()) {
            return false;
        }
        if (Toleration.NO_EXECUTE.equals(ss.effect()) && ss.tolerationSeconds() != null
                && (t.tolerationSeconds() == null || t.tolerationSeconds() > ss.tolerationSeconds())) {
            return false;
        }
        return switch (ss.operator()) {
            case Toleration.EQUAL, "" -> Toleration.EQUAL.equals(t.operator()) && t.value().equals(ss.value());
            case Toleration.EXISTS -> true;
            default -> false;
        };
    }

    /**
     * {@code MergeTolerations(first, second)}: both lists in order, without a toleration that another
     * one covers (of two equal ones, the first is kept). Returns indexes into {@code first + second},
     * so that the caller can keep the pod's own entries as they were written.
     */
    public static List<Integer> merge(List<Toleration> first, List<Toleration> second) {
        List<Toleration> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        List<Integer> merged = new ArrayList<>(all.size());
        next:
        for (int i = 0; i < all.size(); i++) {
            Toleration t = all.get(i);
            for (int m : merged) {
                if (isSuperset(all.get(m), t)) {
                    continue next; // t is redundant
                }
            }
            for (int j = i + 1; j < all.size(); j++) {
                Toleration t2 = all.get(j);
                // Of equal tolerations, the first is kept.
                if (!t.equals(t2) && isSuperset(t2, t)) {
                    continue next;
                }
            }
            merged.add(i);
        }
        return merged;
    }

    /** {@code VerifyAgainstWhitelist}: every toleration is covered by some whitelist entry (an empty list allows all). */
    public static boolean verifyAgainstWhitelist(List<Toleration> tolerations, List<Toleration> whitelist) {
        return whitelist.isEmpty() || tolerations.isEmpty() || firstNotCovered(tolerations, whitelist) < 0;
    }

    /** The index of the first toleration no whitelist entry covers, or -1. */
    public static int firstNotCovered(List<Toleration> tolerations, List<Toleration> whitelist) {
        next:
        for (int i = 0; i < tolerations.size(); i++) {
            for (Toleration w : whitelist) {
                if (isSuperset(w, tolerations.get(i))) {
                    continue next;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * {@code AddOrUpdateTolerationInPod}: every entry with the same key, effect, operator and value is
     * replaced by {@code toleration} (upstream's early return for an equal entry compares a pointer
     * with a value, so it never fires: equal entries are replaced by themselves); when none has, it
     * is appended.
     */
    public static List<Toleration> addOrUpdate(List<Toleration> tolerations, Toleration toleration) {
        List<Toleration> out = new ArrayList<>(tolerations.size() + 1);
        boolean updated = false;
        for (Toleration t : tolerations) {
            if (toleration.matches(t)) {
                out.add(toleration);
                updated = true;
            } else {
                out.add(t);
            }
        }
        if (!updated) {
            out.add(toleration);
        }
        return out;
    }
}
