package io.podguard.engine.placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A pod as kube-apiserver's placement plugins would leave it on create, in their order: the
 * namespace's node selector merged in (PodNodeSelector), the default tolerations and, for a pod
 * that is not BestEffort, the memory-pressure toleration merged in (PodTolerationRestriction),
 * then a toleration for each extended resource it requests (ExtendedResourceToleration). Each
 * part that is on takes part, whatever its mode: the rules judge what the pod would be were
 * everything enforced. Merging a pod that was already merged changes nothing.
 *
 * @param nodeSelector the merged selector; the pod's own when it conflicts with the namespace's
 * @param selectorConflict whether the pod's selector conflicts with its namespace's
 * @param tolerations the merged tolerations; the pod's own when there are more than {@link Tolerations#MAX}
 * @param tooManyTolerations whether the pod has more tolerations than podguard merges
 */
public record PlacedPod(Map<String, String> nodeSelector, boolean selectorConflict,
                        List<Toleration> tolerations, boolean tooManyTolerations) {

    public static PlacedPod of(JsonNode pod, PlacementPolicy policy) {
        Map<String, String> selector = nodeSelector(pod);
        boolean conflict = false;
        NodeSelectorPlacement ns = policy.nodeSelector();
        if (ns != null && ns.error() == null) {
            Map<String, String> merged = mergeSelector(ns, selector);
            if (merged == null) {
                conflict = true;
            } else {
                selector = merged;
            }
        }
        List<Toleration> tolerations = tolerations(pod);
        boolean tooMany = tolerations.size() > Tolerations.MAX;
        if (!tooMany) {
            TolerationPlacement tp = policy.tolerations();
            if (tp != null) {
                List<Toleration> extras = extraTolerations(tp, pod);
                if (!extras.isEmpty()) {
                    tolerations = pick(tolerations, extras, Tolerations.merge(tolerations, extras));
                }
            }
            ExtendedResourceTolerations ert = policy.extendedResourceTolerations();
            if (ert != null) {
                for (Toleration t : extendedResourceTolerations(ert, pod)) {
                    tolerations = Tolerations.addOrUpdate(tolerations, t);
                }
            }
        }
        return new PlacedPod(selector, conflict, tolerations, tooMany);
    }

    /** PodNodeSelector's merge: the namespace's selector, then the pod's; null when they conflict. */
    public static @Nullable Map<String, String> mergeSelector(NodeSelectorPlacement ns, Map<String, String> pod) {
        if (NodeSelectors.conflicts(ns.selector(), pod)) {
            return null;
        }
        return NodeSelectors.merge(ns.selector(), pod);
    }

    /**
     * What PodTolerationRestriction merges into a new pod: the default tolerations (none when
     * they cannot be read), then, unless the pod is BestEffort, the memory-pressure toleration.
     */
    public static List<Toleration> extraTolerations(TolerationPlacement tp, JsonNode pod) {
        List<Toleration> extras = new ArrayList<>(tp.defaults());
        if (PodQos.of(pod) != PodQos.BEST_EFFORT) {
            extras.add(Toleration.MEMORY_PRESSURE);
        }
        return extras;
    }

    /** The tolerations ExtendedResourceToleration adds, in its order (by resource name). */
    public static List<Toleration> extendedResourceTolerations(ExtendedResourceTolerations ert, JsonNode pod) {
        List<Toleration> out = new ArrayList<>();
        for (String resource : ExtendedResources.requested(pod)) {
            if (ert.resources().test(resource)) {
                out.add(new Toleration(resource, Toleration.EXISTS, "", Toleration.NO_SCHEDULE, null));
            }
        }
        return out;
    }

    /** The pod's {@code spec.nodeSelector}, in its order. */
    public static Map<String, String> nodeSelector(JsonNode pod) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : pod.path("spec").path("nodeSelector").properties()) {
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asString());
            }
        }
        return out;
    }

    /** The pod's {@code spec.tolerations}. */
    public static List<Toleration> tolerations(JsonNode pod) {
        JsonNode list = pod.path("spec").path("tolerations");
        List<Toleration> out = new ArrayList<>(list.size());
        for (JsonNode t : list) {
            out.add(Toleration.of(t));
        }
        return out;
    }

    static <T> List<T> pick(List<T> first, List<T> second, List<Integer> indexes) {
        List<T> out = new ArrayList<>(indexes.size());
        for (int i : indexes) {
            out.add(i < first.size() ? first.get(i) : second.get(i - first.size()));
        }
        return out;
    }
}
