package io.podguard.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Applies per-rule and per-image exemptions to what one rule kind found, the same way for every
 * kind. A rule an exemption covers for the whole pod is dropped; a rule it covers for some
 * images is judged again on a copy of the pod without those containers (only when it failed on
 * the whole pod: removing containers never adds a violation), and its violation, if any, comes
 * from that copy, in the same mode.
 */
final class Exemptions {

    private Exemptions() {
    }

    /**
     * @param rejudge the same rule kind judging another pod
     * @param applied receives the exemptions that removed or changed a violation
     */
    static List<KindVerdict> apply(PodObject pod, List<KindVerdict> verdicts, List<MatchedExemption> exemptions,
                                   Function<PodObject, List<KindVerdict>> rejudge, Set<MatchedExemption> applied) {
        if (exemptions.isEmpty() || verdicts.stream().allMatch(KindVerdict::passed)) {
            return verdicts;
        }
        Map<Set<MatchedExemption>, ContainerFilter> filters = new HashMap<>(2);
        Map<Set<MatchedExemption>, List<KindVerdict>> rejudged = new HashMap<>(2);
        List<KindVerdict> out = new ArrayList<>(verdicts.size());
        for (KindVerdict verdict : verdicts) {
            if (verdict.passed()) {
                out.add(verdict);
                continue;
            }
            List<Violation> kept = new ArrayList<>(verdict.violations().size());
            Set<String> rejudgedRules = new java.util.HashSet<>(2);
            for (Violation v : verdict.violations()) {
                if (rejudgedRules.contains(v.rule())) {
                    continue; // its violations came from the copy already
                }
                boolean dropped = false;
                Set<MatchedExemption> byImage = new LinkedHashSet<>();
                for (MatchedExemption e : exemptions) {
                    if (e.wholeRequest() || !e.covers(v.rule())) {
                        continue;
                    }
                    if (e.images() == null) {
                        dropped = true;
                        applied.add(e);
                        break;
                    }
                    byImage.add(e);
                }
                if (dropped) {
                    continue;
                }
                if (byImage.isEmpty()) {
                    kept.add(v);
                    continue;
                }
                rejudgedRules.add(v.rule());
                ContainerFilter filter = filters.computeIfAbsent(byImage, es -> ContainerFilter.without(pod,
                        c -> es.stream().anyMatch(e -> e.leavesOut(c.getImage()))));
                List<KindVerdict> again = rejudged.computeIfAbsent(byImage, k -> rejudge.apply(filter.pod()));
                List<Violation> before = verdict.violations().stream().filter(x -> x.rule().equals(v.rule())).toList();
                List<Violation> after = new ArrayList<>(before.size());
                for (KindVerdict w : again) {
                    if (w.mode() == verdict.mode()) {
                        for (Violation x : w.violations()) {
                            if (x.rule().equals(v.rule())) {
                                after.add(filter.restore(x));
                            }
                        }
                    }
                }
                kept.addAll(after);
                if (!before.equals(after)) {
                    for (MatchedExemption e : byImage) {
                        if (leftOutBy(pod, e)) {
                            applied.add(e);
                        }
                    }
                }
            }
            out.add(kept.size() == verdict.violations().size() && kept.equals(verdict.violations()) ? verdict : verdict.withViolations(kept));
        }
        return out;
    }

    /** Whether {@code e}'s images leave out any container of {@code pod}. */
    private static boolean leftOutBy(PodObject pod, MatchedExemption e) {
        for (ContainerRef ref : ContainerRef.all(pod.podSpec())) {
            if (e.leavesOut(ref.container().getImage())) {
                return true;
            }
        }
        return false;
    }
}
