package io.podguard.engine;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.zjsonpatch.JsonPatch;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pod as podguard judges it: a Pod itself or the pod template of a workload.
 *
 * @param kind the kind of the object that carries the pod ({@code Pod}, {@code Deployment}, …)
 * @param namespace the object's namespace, if any
 * @param name the object's name (or generateName), if any
 * @param podMeta the pod's (or template's) metadata, typed
 * @param podSpec the pod's (or template's) spec, typed
 * @param object the whole object as sent, untouched; patches are computed against it
 * @param podPointer JSON pointer from the object to the pod ({@code ""} for a Pod, {@code /spec/template} for a Deployment)
 */
public record PodObject(
        String kind,
        @Nullable String namespace,
        @Nullable String name,
        ObjectMeta podMeta,
        PodSpec podSpec,
        ObjectNode object,
        String podPointer) {

    public boolean isPod() {
        return podPointer.isEmpty();
    }

    /** Field path prefix of the pod within the object, for messages: {@code ""} or {@code spec.template.}. */
    public String pathPrefix() {
        return podPointer.isEmpty() ? "" : podPointer.substring(1).replace('/', '.') + ".";
    }

    /**
     * This object with {@code patch} (RFC 6902, against {@link #object()}) applied, read as a pod
     * again; this pod itself when the patch is empty.
     */
    public PodObject patched(ArrayNode patch) {
        if (patch.isEmpty()) {
            return this;
        }
        return PodExtractor.extract(kind, JsonPatch.apply(patch, object)).orElse(this);
    }

    /** The pod's own JSON (the object for a Pod, the template for a workload), as sent. */
    public ObjectNode podNode() {
        return podPointer.isEmpty() ? object : (ObjectNode) object.at(podPointer);
    }
}
