package io.podguard.engine.resources;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.PodObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One container's requests and limits, as the resource rules read them. A missing request takes
 * the limit's value, as the apiserver defaults it for pods. Ephemeral containers cannot set
 * resources and are not judged, as LimitRanger does not judge them.
 */
record ContainerResources(ContainerRef ref, String path) {

    static List<ContainerResources> of(PodObject pod) {
        List<ContainerResources> out = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(pod.podSpec())) {
            if (ref.kind() != ContainerRef.Kind.EPHEMERAL_CONTAINER) {
                out.add(new ContainerResources(ref, pod.pathPrefix() + ref.path() + ".resources"));
            }
        }
        return out;
    }

    String name() {
        return ref.name();
    }

    @Nullable Quantity limit(String resource) {
        return get(resources() == null ? null : resources().getLimits(), resource);
    }

    /** The request, or the limit when no request is set (the apiserver's defaulting). */
    @Nullable Quantity request(String resource) {
        Quantity request = get(resources() == null ? null : resources().getRequests(), resource);
        return request != null ? request : limit(resource);
    }

    boolean setsRequest(String resource) {
        return get(resources() == null ? null : resources().getRequests(), resource) != null;
    }

    static @Nullable BigDecimal amount(@Nullable Quantity q) {
        if (q == null) {
            return null;
        }
        try {
            return Quantity.getAmountInBytes(q);
        } catch (RuntimeException e) {
            // the apiserver refuses malformed quantities before admission; nothing to judge
            return null;
        }
    }

    private @Nullable ResourceRequirements resources() {
        return ref.container().getResources();
    }

    private static @Nullable Quantity get(@Nullable Map<String, Quantity> map, String resource) {
        return map == null ? null : map.get(resource);
    }
}
