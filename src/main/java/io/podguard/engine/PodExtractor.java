package io.podguard.engine;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds the pod in an object: a Pod, or the pod template of a workload. Kinds without a pod
 * (a ConfigMap, say) yield nothing and are not judged.
 */
public final class PodExtractor {

    /** Where each kind keeps its pod, as a JSON pointer. */
    private static final Map<String, String> POD_POINTERS = Map.of(
            "Pod", "",
            "Deployment", "/spec/template",
            "StatefulSet", "/spec/template",
            "DaemonSet", "/spec/template",
            "ReplicaSet", "/spec/template",
            "ReplicationController", "/spec/template",
            "Job", "/spec/template",
            "CronJob", "/spec/jobTemplate/spec/template",
            "PodTemplate", "/template");

    private PodExtractor() {
    }

    public static boolean judges(String kind) {
        return POD_POINTERS.containsKey(kind);
    }

    /**
     * The pod inside {@code object}, or empty when the kind carries none or the template is
     * absent (a ReplicationController may omit it).
     *
     * @throws IllegalArgumentException when the pod is there but is not a valid pod
     */
    public static Optional<PodObject> extract(String kind, JsonNode object) {
        return extract(kind, object, null);
    }

    /**
     * The pod inside {@code object}, as {@link #extract(String, JsonNode)}. A Pod sent as bytes is
     * typed straight from them and its tree is left unbuilt until something asks for it; should
     * the bytes not type cleanly, the tree is built and read as above, so a pod reads the same
     * either way (messages included).
     */
    public static Optional<PodObject> extract(String kind, ObjectJson object) {
        return extract(kind, object, false);
    }

    /**
     * As {@link #extract(String, ObjectJson)}; with {@code treeWanted} the pod is typed from the
     * object's tree, built now: for a review whose policy reads the tree anyway (CEL rules,
     * defaults), one reading of the bytes instead of two. Both ways read the same pod.
     */
    public static Optional<PodObject> extract(String kind, ObjectJson object, boolean treeWanted) {
        return extract(kind, object, treeWanted, null);
    }

    /**
     * As {@link #extract(String, ObjectJson, boolean)}; a Pod typed from its bytes is read through
     * {@code through} (a parser handing the tokens on to another reader as well), when given.
     */
    public static Optional<PodObject> extract(String kind, ObjectJson object, boolean treeWanted,
                                              java.util.function.@Nullable UnaryOperator<JsonParser> through) {
        if (!treeWanted && "Pod".equals(kind) && object.hasBytes()) {
            PodObject typed = typedFromBytes(kind, object, through);
            if (typed != null) {
                return Optional.of(typed);
            }
        }
        return extract(kind, object.tree(), object);
    }

    /**
     * A Pod's metadata and spec typed from its bytes; null when they are not both objects (or
     * null) or do not type, which the tree's reading then answers.
     */
    private static @Nullable PodObject typedFromBytes(String kind, ObjectJson object,
                                                      java.util.function.@Nullable UnaryOperator<JsonParser> through) {
        ObjectMeta meta = null;
        PodSpec spec = null;
        try (JsonParser p = through == null ? object.parser() : through.apply(object.parser())) {
            p.nextToken();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("metadata") || field.equals("spec")) {
                    if (value != JsonToken.START_OBJECT && value != JsonToken.VALUE_NULL) {
                        return null;
                    }
                    boolean isNull = value == JsonToken.VALUE_NULL;
                    if (field.equals("metadata")) {
                        meta = isNull ? null : Json.strictObjectMeta(p);
                    } else {
                        spec = isNull ? null : Json.strictPodSpec(p);
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        if (meta == null) {
            meta = new ObjectMeta();
        }
        if (spec == null) {
            spec = new PodSpec();
        }
        String name = meta.getName() != null ? meta.getName() : meta.getGenerateName();
        return new PodObject(kind, meta.getNamespace(), name, meta, spec, object, "");
    }

    private static Optional<PodObject> extract(String kind, JsonNode object, @Nullable ObjectJson sent) {
        String pointer = POD_POINTERS.get(kind);
        if (pointer == null) {
            return Optional.empty();
        }
        if (!(object instanceof ObjectNode objectNode)) {
            throw new IllegalArgumentException("object is not a valid " + kind + ": expected a JSON object");
        }
        JsonNode pod = pointer.isEmpty() ? object : object.at(pointer);
        if (pod.isMissingNode() || pod.isNull()) {
            // A workload without a template (a ReplicationController may omit it) has no pod to judge.
            return Optional.empty();
        }
        if (!(pod instanceof ObjectNode)) {
            throw new IllegalArgumentException("object is not a valid " + kind + ": " + pointer.substring(1).replace('/', '.') + " is not an object");
        }
        JsonNode metaNode = pod.get("metadata");
        JsonNode specNode = pod.get("spec");
        if (metaNode != null && !metaNode.isNull() && !metaNode.isObject() || specNode != null && !specNode.isNull() && !specNode.isObject()) {
            throw new IllegalArgumentException("object is not a valid " + kind + ": metadata and spec must be objects");
        }
        ObjectMeta meta;
        PodSpec spec;
        try {
            // Only metadata and spec are typed, straight from the tree with readers built once: the
            // single largest cost of a review after TLS and parsing.
            meta = metaNode == null || metaNode.isNull() ? new ObjectMeta() : Json.objectMeta(metaNode);
            spec = specNode == null || specNode.isNull() ? new PodSpec() : Json.podSpec(specNode);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("object is not a valid " + kind + ": " + Text.oneLine(e.getMessage(), "malformed"));
        }
        if (meta == null) {
            meta = new ObjectMeta();
        }
        if (spec == null) {
            spec = new PodSpec();
        }
        JsonNode objectMeta = object.get("metadata");
        String namespace = text(objectMeta, "namespace");
        String name = text(objectMeta, "name");
        if (name == null) {
            name = text(objectMeta, "generateName");
        }
        return Optional.of(sent != null ? new PodObject(kind, namespace, name, meta, spec, sent, pointer)
                : new PodObject(kind, namespace, name, meta, spec, objectNode, pointer));
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

}
