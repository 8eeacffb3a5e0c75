package io.podguard.engine.defaults;

import io.fabric8.zjsonpatch.JsonDiff;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.policy.DefaultsConfig;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the defaulters over a pod and diffs the result against the object as sent, so that
 * fields podguard does not model, and the order of fields, are never rewritten.
 */
public final class DefaultsEngine {

    private final List<Defaulter> defaulters;

    public DefaultsEngine(List<Defaulter> defaulters) {
        this.defaulters = List.copyOf(defaulters);
    }

    public List<Defaulter> defaulters() {
        return defaulters;
    }

    public MutationResult mutate(PodObject pod, DefaultsConfig config) {
        if (!config.isEnabled() || defaulters.isEmpty()) {
            return new MutationResult(Json.mapper().createArrayNode(), List.of());
        }
        ObjectNode original = pod.object();
        ObjectNode copy = original.deepCopy();
        ObjectNode podJson = pod.podPointer().isEmpty() ? copy : (ObjectNode) copy.at(pod.podPointer());
        DefaultingContext context = new DefaultingContext(pod, podJson, config);
        for (Defaulter defaulter : defaulters) {
            defaulter.apply(context);
        }
        if (context.applied().isEmpty()) {
            return new MutationResult(Json.mapper().createArrayNode(), List.of());
        }
        JsonNode diff = JsonDiff.asJson(original, copy);
        return new MutationResult((ArrayNode) diff, List.copyOf(context.applied()));
    }
}
