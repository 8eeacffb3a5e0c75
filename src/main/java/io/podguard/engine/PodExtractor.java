package io.podguard.engine;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.Map;
import java.util.Optional;
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
        return Optional.of(new PodObject(kind, namespace, name, meta, spec, objectNode, pointer));
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

}
