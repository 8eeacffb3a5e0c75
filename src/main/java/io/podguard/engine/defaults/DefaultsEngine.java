package io.podguard.engine.defaults;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the defaulters over a pod and diffs the result against the object as sent, so that
 * fields podguard does not model, and the order of fields, are never rewritten. Defaulters the
 * policy turns off, or the pod opts out of ({@code podguard.io/skip-defaults}), do not run; what
 * the others set is recorded in the pod's {@code podguard.io/defaults} annotation, in the same patch.
 */
public final class DefaultsEngine {

    /**
     * Plain {@code add}/{@code replace} operations only: zjsonpatch would otherwise turn a value
     * that already sits elsewhere in the pod (the same resources on two containers) into a
     * {@code copy} from there, which is valid but hard to read in a review.
     */
    private static final EnumSet<DiffFlags> DIFF_FLAGS =
            EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

    private final List<Defaulter> defaulters;

    public DefaultsEngine(List<Defaulter> defaulters) {
        this.defaulters = List.copyOf(defaulters);
    }

    public List<Defaulter> defaulters() {
        return defaulters;
    }

    /**
     * Runs every defaulter that is on, in registry order, into one patch. Defaulters in a dry run
     * ({@code defaults.mode: audit}, placement in audit or warn mode) are not in the patch: they run
     * on a second copy, after the same defaulters as in the real pass, to say what they would set.
     */
    public MutationResult mutate(PodObject pod, EffectivePolicy policy) {
        if (defaulters.isEmpty()) {
            return MutationResult.none();
        }
        Set<String> skipped = DefaultsAnnotations.skipped(pod.podMeta());
        List<Defaulter> applying = new ArrayList<>(defaulters.size());
        List<Defaulter> running = new ArrayList<>(defaulters.size());
        boolean dryRuns = false;
        for (Defaulter defaulter : defaulters) {
            if (defaulter.optional() && DefaultsAnnotations.skips(skipped, defaulter)) {
                continue;
            }
            switch (defaulter.run(policy)) {
                case APPLY -> {
                    applying.add(defaulter);
                    running.add(defaulter);
                }
                case DRY_RUN -> {
                    running.add(defaulter);
                    dryRuns = true;
                }
                case OFF -> {
                }
            }
        }
        if (running.isEmpty()) {
            return MutationResult.none();
        }
        ObjectNode original = pod.object();
        ObjectNode copy = original.deepCopy();
        List<AppliedDefault> applied = applying.isEmpty() ? List.of() : run(pod, policy, applying, copy);
        if (!applied.isEmpty() && copy.equals(original)) {
            // What one defaulter changed, a later one changed back (a toleration left out as covered,
            // then added again for an extended resource): nothing was set.
            applied = List.of();
        }
        if (!applied.isEmpty()) {
            DefaultsAnnotations.record(podJson(pod, copy), applied);
        }
        List<AppliedDefault> wouldApply = List.of();
        if (dryRuns) {
            List<AppliedDefault> all = run(pod, policy, running, original.deepCopy());
            wouldApply = all.stream().filter(a -> applying.stream().noneMatch(d -> d.id().equals(a.defaulter()))).toList();
        }
        ArrayNode patch = applied.isEmpty() ? Json.mapper().createArrayNode() : (ArrayNode) JsonDiff.asJson(original, copy, DIFF_FLAGS);
        return applied.isEmpty() && wouldApply.isEmpty() ? MutationResult.none() : new MutationResult(patch, applied, wouldApply);
    }

    /** Runs {@code defaulters} in order on {@code copy}, the whole object; returns what they set. */
    private static List<AppliedDefault> run(PodObject pod, EffectivePolicy policy, List<Defaulter> defaulters, ObjectNode copy) {
        DefaultingContext context = new DefaultingContext(pod, podJson(pod, copy), policy);
        for (Defaulter defaulter : defaulters) {
            defaulter.apply(context);
        }
        return List.copyOf(context.applied());
    }

    private static ObjectNode podJson(PodObject pod, ObjectNode copy) {
        return pod.podPointer().isEmpty() ? copy : (ObjectNode) copy.at(pod.podPointer());
    }
}
