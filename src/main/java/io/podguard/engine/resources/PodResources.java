package io.podguard.engine.resources;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.PodObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pod's effective requests and limits, as LimitRanger's {@code podRequests} and
 * {@code podLimits} compute them for a LimitRange of type {@code Pod}: the sum over app
 * containers and sidecars, at least what any plain init container needs beside the sidecars
 * started before it, and pod-level {@code spec.resources} in place of the sum for cpu and memory
 * where the pod sets them (PodLevelResources, on by default since Kubernetes 1.34). Every
 * resource counts, extended resources included; sums are written as the apiserver writes them.
 *
 * @param requests the pod's effective requests
 * @param limits the pod's effective limits
 */
record PodResources(Map<String, KubeQuantity> requests, Map<String, KubeQuantity> limits) {

    /** The resources pod-level {@code spec.resources} may set ({@code supportedPodLevelResources}). */
    static final Set<String> POD_LEVEL = Set.of("cpu", "memory");

    static PodResources of(PodObject pod, List<ContainerResources> containers) {
        var podLevel = pod.podNode().path("spec").path("resources");
        return new PodResources(
                total(containers, ContainerResources::requests, ContainerResources.quantities(podLevel.path("requests"))),
                total(containers, ContainerResources::limits, ContainerResources.quantities(podLevel.path("limits"))));
    }

    private static Map<String, KubeQuantity> total(List<ContainerResources> containers,
                                                   Function<ContainerResources, Map<String, KubeQuantity>> list,
                                                   Map<String, KubeQuantity> podLevel) {
        Map<String, KubeQuantity> sum = new LinkedHashMap<>();
        for (ContainerResources c : containers) {
            if (c.ref().kind() == ContainerRef.Kind.CONTAINER) {
                add(sum, list.apply(c));
            }
        }
        Map<String, KubeQuantity> restartable = new LinkedHashMap<>();
        Map<String, KubeQuantity> init = new LinkedHashMap<>();
        for (ContainerResources c : containers) {
            if (c.ref().kind() != ContainerRef.Kind.INIT_CONTAINER) {
                continue;
            }
            Map<String, KubeQuantity> needs;
            if (c.ref().isSidecar()) {
                add(sum, list.apply(c));
                add(restartable, list.apply(c));
                needs = restartable;
            } else {
                needs = new LinkedHashMap<>();
                add(needs, list.apply(c));
                add(needs, restartable);
            }
            max(init, needs);
        }
        max(sum, init);
        podLevel.forEach((name, q) -> {
            if (POD_LEVEL.contains(name)) {
                sum.put(name, q);
            }
        });
        return Collections.unmodifiableMap(sum);
    }

    /** {@code addResourceList}: the first value of a resource as it is, later ones added to it. */
    private static void add(Map<String, KubeQuantity> list, Map<String, KubeQuantity> more) {
        more.forEach((name, q) -> list.merge(name, q, KubeQuantity::plus));
    }

    /** {@code maxResourceList}: the larger value of each resource. */
    private static void max(Map<String, KubeQuantity> list, Map<String, KubeQuantity> more) {
        more.forEach((name, q) -> {
            KubeQuantity have = list.get(name);
            if (have == null || q.compareTo(have) > 0) {
                list.put(name, q);
            }
        });
    }
}
