package io.podguard.engine.resources;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.PodObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One container's requests and limits, as the resource rules read them: a request the container
 * leaves unset takes its limit's value, as the apiserver defaults a Pod before admission (and a
 * workload's pods when they are created). Ephemeral containers cannot set resources and are not
 * judged, as LimitRanger does not judge them. A value that is not a quantity is left out (the
 * apiserver refuses it before admission).
 *
 * @param ref the container
 * @param path its {@code resources} field path within the object
 * @param requests its requests, each unset one taking its limit
 * @param limits its limits
 * @param setRequests the requests it sets itself
 */
record ContainerResources(ContainerRef ref, String path, Map<String, KubeQuantity> requests, Map<String, KubeQuantity> limits,
                          Map<String, KubeQuantity> setRequests) {

    static List<ContainerResources> of(PodObject pod) {
        return of(ContainerRef.all(pod.podSpec()), pod.podNode(), pod.pathPrefix());
    }

    /** The resources of {@code refs} as {@code podNode} (the pod's JSON) has them. */
    static List<ContainerResources> of(List<ContainerRef> refs, JsonNode podNode, String pathPrefix) {
        List<ContainerResources> out = new ArrayList<>();
        for (ContainerRef ref : refs) {
            if (ref.kind() != ContainerRef.Kind.EPHEMERAL_CONTAINER) {
                JsonNode r = podNode.path("spec").path(ref.kind().field()).path(ref.index()).path("resources");
                Map<String, KubeQuantity> limits = quantities(r.path("limits"));
                Map<String, KubeQuantity> set = quantities(r.path("requests"));
                Map<String, KubeQuantity> requests = new LinkedHashMap<>(set);
                limits.forEach(requests::putIfAbsent);
                out.add(new ContainerResources(ref, pathPrefix + ref.path() + ".resources",
                        Collections.unmodifiableMap(requests), limits, set));
            }
        }
        return out;
    }

    String name() {
        return ref.name();
    }

    /** How messages name it: {@code container "app"}, {@code init container "setup"}. */
    String describe() {
        return (ref.kind() == ContainerRef.Kind.INIT_CONTAINER ? "init container \"" : "container \"") + ref.name() + "\"";
    }

    @Nullable KubeQuantity limit(String resource) {
        return limits.get(resource);
    }

    /** The request, or the limit when no request is set (the apiserver's defaulting). */
    @Nullable KubeQuantity request(String resource) {
        return requests.get(resource);
    }

    boolean setsRequest(String resource) {
        return setRequests.containsKey(resource);
    }

    /**
     * Quantities by resource name, in the order written, read from the JSON as sent (its text is
     * what the apiserver reads); values that are not quantities are left out.
     */
    static Map<String, KubeQuantity> quantities(JsonNode values) {
        if (!values.isObject() || values.isEmpty()) {
            return Map.of();
        }
        Map<String, KubeQuantity> out = new LinkedHashMap<>(values.size() * 2);
        for (Map.Entry<String, JsonNode> e : values.properties()) {
            JsonNode v = e.getValue();
            KubeQuantity parsed = v.isString() || v.isNumber() ? KubeQuantity.parseOrNull(v.asString()) : null;
            if (parsed != null) {
                out.put(e.getKey(), parsed);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
