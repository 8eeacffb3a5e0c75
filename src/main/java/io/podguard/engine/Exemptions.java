package io.podguard.engine;

import io.podguard.policy.CheckExemption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Applies per-check and per-image exemptions to the violations of one mode. A check an exemption
 * covers for the whole pod is dropped; a check it covers for some images is judged again on a
 * copy of the pod without those containers (only when it failed on the whole pod: removing
 * containers never adds a violation), and its violation, if any, comes from that copy.
 */
final class Exemptions {

    private Exemptions() {
    }

    /** Whether {@code e}'s images leave out any container of {@code pod}. */
    private static boolean leftOutBy(PodObject pod, CheckExemption e) {
        for (ContainerRef ref : ContainerRef.all(pod.podSpec())) {
            String image = ref.container().getImage();
            if (image != null && Glob.any(e.images(), ImageReferences.normalize(image))) {
                return true;
            }
        }
        return false;
    }

    static List<Violation> apply(PodObject pod, List<Violation> violations, List<CheckExemption> exemptions,
                                 Function<PodObject, List<Violation>> judge, Set<CheckExemption> applied) {
        if (exemptions.isEmpty() || violations.isEmpty()) {
            return violations;
        }
        List<Violation> out = new ArrayList<>(violations.size());
        Map<Set<Glob>, List<Violation>> rejudged = new HashMap<>(2);
        Map<Set<Glob>, ContainerFilter> filters = new HashMap<>(2);
        for (Violation v : violations) {
            boolean dropped = false;
            Set<Glob> images = new LinkedHashSet<>();
            List<CheckExemption> byImage = new ArrayList<>(1);
            for (CheckExemption e : exemptions) {
                if (e.covers(v.rule())) {
                    if (e.images().isEmpty()) {
                        dropped = true;
                        applied.add(e);
                        break;
                    }
                    images.addAll(e.images());
                    byImage.add(e);
                }
            }
            if (dropped) {
                continue;
            }
            if (images.isEmpty()) {
                out.add(v);
                continue;
            }
            ContainerFilter filter = filters.computeIfAbsent(images, globs -> ContainerFilter.without(pod,
                    c -> c.getImage() != null && Glob.any(List.copyOf(globs), ImageReferences.normalize(c.getImage()))));
            List<Violation> again = rejudged.computeIfAbsent(images, k -> judge.apply(filter.pod()));
            Violation kept = null;
            for (Violation w : again) {
                if (w.rule().equals(v.rule())) {
                    kept = filter.restore(w);
                    out.add(kept);
                }
            }
            if (!v.equals(kept)) {
                for (CheckExemption e : byImage) {
                    if (leftOutBy(pod, e)) {
                        applied.add(e);
                    }
                }
            }
        }
        return out;
    }
}
