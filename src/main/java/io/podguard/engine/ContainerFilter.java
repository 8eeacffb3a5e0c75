package io.podguard.engine;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pod with some containers left out (those an image exemption covers), typed and as JSON
 * alike so every rule kind sees the same pod, and the way back from the paths of its violations
 * to the paths in the pod as sent: {@code spec.containers[0]} of the copy may be
 * {@code spec.containers[1]} of the original.
 */
final class ContainerFilter {

    private static final Pattern CONTAINER_PATH = Pattern.compile("spec\\.(containers|initContainers|ephemeralContainers)\\[(\\d+)]");

    private final PodObject filtered;
    private final Map<ContainerRef.Kind, List<Integer>> kept;

    private ContainerFilter(PodObject filtered, Map<ContainerRef.Kind, List<Integer>> kept) {
        this.filtered = filtered;
        this.kept = kept;
    }

    /** {@code pod} without the containers {@code leaveOut} accepts. */
    static ContainerFilter without(PodObject pod, Predicate<Container> leaveOut) {
        PodSpec spec = pod.podSpec();
        Map<ContainerRef.Kind, List<Integer>> kept = new EnumMap<>(ContainerRef.Kind.class);
        List<Container> containers = keep(spec.getContainers(), leaveOut, kept, ContainerRef.Kind.CONTAINER);
        List<Container> init = keep(spec.getInitContainers(), leaveOut, kept, ContainerRef.Kind.INIT_CONTAINER);
        List<EphemeralContainer> ephemeral = new ArrayList<>();
        List<Integer> ephemeralKept = new ArrayList<>();
        for (ContainerRef ref : ContainerRef.all(spec)) {
            if (ref.kind() == ContainerRef.Kind.EPHEMERAL_CONTAINER && !leaveOut.test(ref.container())) {
                ephemeral.add(spec.getEphemeralContainers().get(ref.index()));
                ephemeralKept.add(ref.index());
            }
        }
        kept.put(ContainerRef.Kind.EPHEMERAL_CONTAINER, ephemeralKept);
        PodSpec copy = new PodSpecBuilder(spec)
                .withContainers(containers)
                .withInitContainers(init)
                .withEphemeralContainers(ephemeral)
                .build();
        ObjectNode object = pod.object().deepCopy();
        if ((pod.isPod() ? object : object.at(pod.podPointer())).get("spec") instanceof ObjectNode specJson) {
            for (ContainerRef.Kind kind : ContainerRef.Kind.values()) {
                if (specJson.get(kind.field()) instanceof ArrayNode list) {
                    ArrayNode left = specJson.putArray(kind.field());
                    for (int index : kept.get(kind)) {
                        JsonNode element = list.get(index);
                        if (element != null) {
                            left.add(element);
                        }
                    }
                }
            }
        }
        PodObject filtered = new PodObject(pod.kind(), pod.namespace(), pod.name(), pod.podMeta(), copy, object, pod.podPointer());
        return new ContainerFilter(filtered, kept);
    }

    PodObject pod() {
        return filtered;
    }

    /** The violation with its container path pointing into the pod as sent. */
    Violation restore(Violation v) {
        Matcher m = CONTAINER_PATH.matcher(v.path());
        if (!m.find()) {
            return v;
        }
        ContainerRef.Kind kind = switch (m.group(1)) {
            case "containers" -> ContainerRef.Kind.CONTAINER;
            case "initContainers" -> ContainerRef.Kind.INIT_CONTAINER;
            default -> ContainerRef.Kind.EPHEMERAL_CONTAINER;
        };
        List<Integer> indices = kept.get(kind);
        int index = Integer.parseInt(m.group(2));
        if (indices == null || index >= indices.size()) {
            return v;
        }
        String path = v.path().substring(0, m.start()) + "spec." + m.group(1) + "[" + indices.get(index) + "]" + v.path().substring(m.end());
        return new Violation(v.rule(), path, v.reason(), v.detail());
    }

    private static List<Container> keep(List<Container> list, Predicate<Container> leaveOut,
                                        Map<ContainerRef.Kind, List<Integer>> kept, ContainerRef.Kind kind) {
        List<Container> out = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                Container c = list.get(i);
                if (c != null && !leaveOut.test(c)) {
                    out.add(c);
                    indices.add(i);
                }
            }
        }
        kept.put(kind, indices);
        return out;
    }
}
