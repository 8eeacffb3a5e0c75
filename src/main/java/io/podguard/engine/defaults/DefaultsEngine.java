package io.podguard.engine.defaults;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.podguard.engine.PodObject;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.policy.DefaultsConfig;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
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

    public MutationResult mutate(PodObject pod, DefaultsConfig config) {
        return mutate(pod, config, ResourceRules.NONE, NamespaceResources.NONE);
    }

    /**
     * @param resourceRules the policy's resource rules (they imply resource defaults)
     * @param namespaceResources what is known of the namespace's LimitRanges and ResourceQuotas
     */
    public MutationResult mutate(PodObject pod, DefaultsConfig config, ResourceRules resourceRules, NamespaceResources namespaceResources) {
        if (!config.isEnabled() || defaulters.isEmpty()) {
            return MutationResult.none();
        }
        Set<String> skipped = DefaultsAnnotations.skipped(pod.podMeta());
        if (skipped.contains(DefaultsAnnotations.ALL)) {
            return MutationResult.none();
        }
        ObjectNode original = pod.object();
        ObjectNode copy = original.deepCopy();
        ObjectNode podJson = pod.podPointer().isEmpty() ? copy : (ObjectNode) copy.at(pod.podPointer());
        DefaultingContext context = new DefaultingContext(pod, podJson, config, resourceRules, namespaceResources);
        for (Defaulter defaulter : defaulters) {
            if (defaulter.isEnabled(config) && !DefaultsAnnotations.skips(skipped, defaulter)) {
                defaulter.apply(context);
            }
        }
        if (context.applied().isEmpty()) {
            return MutationResult.none();
        }
        DefaultsAnnotations.record(podJson, context.applied());
        JsonNode diff = JsonDiff.asJson(original, copy, DIFF_FLAGS);
        return new MutationResult((ArrayNode) diff, List.copyOf(context.applied()));
    }
}
