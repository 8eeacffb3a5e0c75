package io.podguard.engine.placement;

import io.podguard.engine.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One toleration as kube-apiserver's admission plugins compare them: its four strings (an absent
 * one is empty, as Go decodes it) and its {@code tolerationSeconds}. Two tolerations are the same
 * when all five are, as {@code apiequality.Semantic.DeepEqual} says.
 */
public record Toleration(String key, String operator, String value, String effect, @Nullable Long tolerationSeconds) {

    public static final String EXISTS = "Exists";
    public static final String EQUAL = "Equal";
    public static final String NO_SCHEDULE = "NoSchedule";
    public static final String NO_EXECUTE = "NoExecute";

    /** {@code key: node.kubernetes.io/memory-pressure, operator: Exists, effect: NoSchedule}. */
    public static final Toleration MEMORY_PRESSURE = new Toleration("node.kubernetes.io/memory-pressure", EXISTS, "", NO_SCHEDULE, null);

    /** Reads a toleration from its JSON, leniently: a missing or non-text field is empty. */
    public static Toleration of(JsonNode node) {
        JsonNode seconds = node.get("tolerationSeconds");
        Long s = seconds != null && seconds.isIntegralNumber() && seconds.canConvertToLong() ? seconds.asLong() : null;
        return new Toleration(text(node, "key"), text(node, "operator"), text(node, "value"), text(node, "effect"), s);
    }

    /** The JSON Go writes for it: empty fields left out. */
    public ObjectNode toJson() {
        ObjectNode node = Json.mapper().createObjectNode();
        if (!key.isEmpty()) {
            node.put("key", key);
        }
        if (!operator.isEmpty()) {
            node.put("operator", operator);
        }
        if (!value.isEmpty()) {
            node.put("value", value);
        }
        if (!effect.isEmpty()) {
            node.put("effect", effect);
        }
        if (tolerationSeconds != null) {
            node.put("tolerationSeconds", tolerationSeconds);
        }
        return node;
    }

    /** Same key, effect, operator and value ({@code Toleration.MatchToleration}); seconds aside. */
    public boolean matches(Toleration other) {
        return key.equals(other.key) && effect.equals(other.effect) && operator.equals(other.operator) && value.equals(other.value);
    }

    /** The toleration with an empty key and operator Exists: it tolerates every taint. */
    public boolean isWildcard() {
        return key.isEmpty() && EXISTS.equals(operator);
    }

    /**
     * How taints are written: {@code key=value:Effect}, {@code key:Effect} for Exists, {@code *} for
     * every key; {@code (300s)} after it when it has tolerationSeconds.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(key.isEmpty() ? "*" : key);
        if (!EXISTS.equals(operator) && !value.isEmpty()) {
            sb.append('=').append(value);
        } else if (!EXISTS.equals(operator) && !operator.isEmpty() && !EQUAL.equals(operator)) {
            sb.append(' ').append(operator).append(' ').append(value);
        }
        if (!effect.isEmpty()) {
            sb.append(':').append(effect);
        }
        if (tolerationSeconds != null) {
            sb.append(" (").append(tolerationSeconds).append("s)");
        }
        return sb.toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isString() ? v.asString() : "";
    }
}
