package io.podguard.admission;

import io.podguard.engine.Pods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.engine.PodObject;
import io.podguard.engine.placement.PlacementUpdates;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which Pod requests Pod Security Admission judges, and which it lets through: an update that
 * changes nothing a check looks at is allowed as it is, as PSA's {@code isSignificantPodUpdate}
 * does (a running pod can change little but its images, its ephemeral containers and its
 * metadata), so relabelling a pod admitted under an older policy is never refused.
 */
final class PodUpdates {

    /** Pod subresources PSA never judges; any other (ephemeralcontainers, resize …) is judged. */
    static final Set<String> IGNORED_POD_SUBRESOURCES =
            Set.of("exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status");


    private PodUpdates() {
    }

    /**
     * True when the update changes what the checks judge: the number of containers or init
     * containers, a container's image (or its seccomp annotation), or an ephemeral container
     * added or changed.
     */
    static boolean isSignificant(PodObject pod, PodObject oldPod) {
        PodSpec spec = pod.podSpec();
        PodSpec oldSpec = oldPod.podSpec();
        Map<String, String> annotations = annotations(pod.podMeta());
        Map<String, String> oldAnnotations = annotations(oldPod.podMeta());
        List<Container> containers = list(spec.getContainers());
        List<Container> oldContainers = list(oldSpec.getContainers());
        List<Container> inits = list(spec.getInitContainers());
        List<Container> oldInits = list(oldSpec.getInitContainers());
        if (containers.size() != oldContainers.size() || inits.size() != oldInits.size()) {
            return true;
        }
        for (int i = 0; i < containers.size(); i++) {
            if (changed(containers.get(i), oldContainers.get(i), annotations, oldAnnotations)) {
                return true;
            }
        }
        for (int i = 0; i < inits.size(); i++) {
            if (changed(inits.get(i), oldInits.get(i), annotations, oldAnnotations)) {
                return true;
            }
        }
        for (EphemeralContainer e : list(spec.getEphemeralContainers())) {
            EphemeralContainer old = null;
            for (EphemeralContainer candidate : list(oldSpec.getEphemeralContainers())) {
                if (candidate != null && e != null && Objects.equals(candidate.getName(), e.getName())) {
                    old = candidate;
                    break;
                }
            }
            if (old == null) {
                return true; // an ephemeral container was added
            }
            if (!Objects.equals(e.getImage(), old.getImage())
                    || seccompAnnotationChanged(e.getName(), annotations, oldAnnotations)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an update changes where the pod may run (its tolerations, node selector or node
     * affinity), which placement judges on a running pod ({@link PlacementUpdates#changed}).
     */
    static boolean placementChanged(AdmissionRequest request, PodObject pod) {
        return request.isUpdate() && PlacementUpdates.changed(pod.podNode(), request.oldObject());
    }

    private static boolean changed(Container c, Container old, Map<String, String> annotations, Map<String, String> oldAnnotations) {
        if (c == null || old == null) {
            return c != old;
        }
        return !Objects.equals(c.getImage(), old.getImage()) || seccompAnnotationChanged(c.getName(), annotations, oldAnnotations);
    }

    private static boolean seccompAnnotationChanged(String name, Map<String, String> annotations, Map<String, String> oldAnnotations) {
        String key = Pods.SECCOMP_CONTAINER_ANNOTATION_PREFIX + (name == null ? "" : name);
        return !Objects.equals(annotations.get(key), oldAnnotations.get(key));
    }

    private static Map<String, String> annotations(ObjectMeta meta) {
        return meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}
