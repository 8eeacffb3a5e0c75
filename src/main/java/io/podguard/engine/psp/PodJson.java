package io.podguard.engine.psp;

import io.podguard.engine.ContainerRef;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the fields PSP cares about on a pod's JSON. The provider works on the JSON
 * as sent (not on a re-serialised model) so that "absent" and "empty" stay distinct, as they
 * are for upstream's pointers and nil slices, and so that a patch only touches what it sets.
 */
final class PodJson {

    private final ObjectNode pod;

    PodJson(ObjectNode pod) {
        this.pod = pod;
    }

    ObjectNode node() {
        return pod;
    }

    // ---- reading

    static @Nullable JsonNode field(@Nullable JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(name);
        return v == null || v.isNull() || v.isMissingNode() ? null : v;
    }

    static @Nullable Boolean bool(@Nullable JsonNode node, String name) {
        JsonNode v = field(node, name);
        return v != null && v.isBoolean() ? v.booleanValue() : null;
    }

    static @Nullable Long number(@Nullable JsonNode node, String name) {
        JsonNode v = field(node, name);
        return v != null && v.isIntegralNumber() ? v.longValue() : null;
    }

    static @Nullable String text(@Nullable JsonNode node, String name) {
        JsonNode v = field(node, name);
        return v != null && v.isString() ? v.asString() : null;
    }

    /** The strings of an array field; null when the field is absent (Go's nil slice). */
    static @Nullable List<String> strings(@Nullable JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null || !v.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            out.add(e.isString() ? e.asString() : e.toString());
        }
        return out;
    }

    /** The integers of an array field; null when the field is absent. */
    static @Nullable List<Long> numbers(@Nullable JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null || !v.isArray()) {
            return null;
        }
        List<Long> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            out.add(e.asLong());
        }
        return out;
    }

    @Nullable JsonNode spec() {
        return field(pod, "spec");
    }

    @Nullable JsonNode podSecurityContext() {
        return field(spec(), "securityContext");
    }

    @Nullable String annotation(String key) {
        return text(field(pod, "metadata") == null ? null : field(field(pod, "metadata"), "annotations"), key);
    }

    boolean hasAnnotation(String key) {
        JsonNode annotations = field(field(pod, "metadata"), "annotations");
        return annotations != null && annotations.has(key);
    }

    @Nullable JsonNode container(ContainerRef ref) {
        JsonNode c = pod.at(ref.pointer());
        return c.isObject() ? c : null;
    }

    @Nullable JsonNode containerSecurityContext(ContainerRef ref) {
        return field(container(ref), "securityContext");
    }

    // ---- writing: only ever sets what is absent, creating parents as needed

    ObjectNode ensureSpec() {
        return ensure(pod, "spec");
    }

    ObjectNode ensurePodSecurityContext() {
        return ensure(ensureSpec(), "securityContext");
    }

    ObjectNode ensureContainerSecurityContext(ContainerRef ref) {
        return ensure((ObjectNode) pod.at(ref.pointer()), "securityContext");
    }

    void setAnnotation(String key, String value) {
        ensure(ensure(pod, "metadata"), "annotations").put(key, value);
    }

    /** Writes an integer as the apiserver's JSON would parse back: an int where it fits. */
    static void putNumber(ObjectNode parent, String name, long value) {
        if (value == (int) value) {
            parent.put(name, (int) value);
        } else {
            parent.put(name, value);
        }
    }

    static void addNumber(tools.jackson.databind.node.ArrayNode array, long value) {
        if (value == (int) value) {
            array.add((int) value);
        } else {
            array.add(value);
        }
    }

    static ObjectNode ensure(ObjectNode parent, String name) {
        JsonNode existing = parent.get(name);
        if (existing instanceof ObjectNode object) {
            return object;
        }
        return parent.putObject(name);
    }
}
