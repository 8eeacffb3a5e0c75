package io.podguard.engine.defaults;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.engine.SharedTreePatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the defaulters over a pod, into one JSON Patch against the object as sent, so that fields
 * podguard does not model, and the order of fields, are never rewritten. The defaulters write
 * into a copy-on-write view of the object ({@link DefaultingContext}): only the nodes on the path
 * to what they set are copied, the rest is shared with the object as sent, and the patch is read
 * off the copied paths. Defaulters the policy turns off, or the pod opts out of
 * ({@code podguard.io/skip-defaults}), do not run; what the others set is recorded in the pod's
 * {@code podguard.io/defaults} annotation, in the same patch.
 */
public final class DefaultsEngine {

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
        DefaultingContext context = new DefaultingContext(pod, policy);
        List<AppliedDefault> applied = applying.isEmpty() ? List.of() : run(context, applying);
        if (!applied.isEmpty() && context.object().equals(original)) {
            // What one defaulter changed, a later one changed back (a toleration left out as covered,
            // then added again for an extended resource): nothing was set.
            applied = List.of();
        }
        if (!applied.isEmpty()) {
            DefaultsAnnotations.record(context, applied);
        }
        List<AppliedDefault> wouldApply = List.of();
        if (dryRuns) {
            List<AppliedDefault> all = run(new DefaultingContext(pod, policy), running);
            wouldApply = all.stream().filter(a -> applying.stream().noneMatch(d -> d.id().equals(a.defaulter()))).toList();
        }
        if (applied.isEmpty()) {
            return wouldApply.isEmpty() ? MutationResult.none() : new MutationResult(Json.mapper().createArrayNode(), applied, wouldApply);
        }
        return new MutationResult(SharedTreePatch.between(original, context.object()), applied, wouldApply, context.object());
    }

    /** Runs {@code defaulters} in order in {@code context}; returns what they set. */
    private static List<AppliedDefault> run(DefaultingContext context, List<Defaulter> defaulters) {
        for (Defaulter defaulter : defaulters) {
            defaulter.apply(context);
        }
        return List.copyOf(context.applied());
    }
}
