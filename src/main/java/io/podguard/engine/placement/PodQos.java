package io.podguard.engine.placement;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A pod's quality-of-service class, as {@code qos.GetPodQOS} of Kubernetes v1.37 computes it with
 * its default feature gates: {@code status.qosClass} when set; else from pod-level resources when
 * they set cpu, memory or hugepages; else from the init containers' and containers' cpu and
 * memory requests and limits. PodTolerationRestriction reads it to give every pod but a
 * BestEffort one the memory-pressure toleration. Written here: no Java library computes it.
 */
public enum PodQos {
    BEST_EFFORT("BestEffort"), BURSTABLE("Burstable"), GUARANTEED("Guaranteed");

    private static final List<String> COMPUTE = List.of("cpu", "memory");
    private final String id;

    PodQos(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The class of the pod whose JSON (metadata, spec, status) is {@code pod}. */
    public static PodQos of(JsonNode pod) {
        JsonNode status = pod.path("status").path("qosClass");
        if (status.isString() && !status.asString().isEmpty()) {
            for (PodQos q : values()) {
                if (q.id.equals(status.asString())) {
                    return q;
                }
            }
            return BURSTABLE; // an unknown class is not BestEffort
        }
        JsonNode spec = pod.path("spec");
        JsonNode podLevel = spec.get("resources");
        if (podLevel != null && podLevel.isObject() && podLevelSet(podLevel)) {
            return requirements(podLevel);
        }
        PodQos qos = null;
        for (String list : new String[] {"initContainers", "containers"}) {
            for (JsonNode container : spec.path(list)) {
                PodQos c = requirements(container.path("resources"));
                if (c == BURSTABLE) {
                    return BURSTABLE;
                }
                if (qos == null) {
                    qos = c;
                } else if (qos != c) {
                    return BURSTABLE;
                }
            }
        }
        return qos == null ? BEST_EFFORT : qos;
    }

    /** {@code IsPodLevelResourcesSet}: a request or limit of cpu, memory or hugepages-*. */
    private static boolean podLevelSet(JsonNode resources) {
        for (String field : new String[] {"requests", "limits"}) {
            for (Map.Entry<String, JsonNode> e : resources.path(field).properties()) {
                if (COMPUTE.contains(e.getKey()) || e.getKey().startsWith("hugepages-")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code requirementsQOS}. */
    private static PodQos requirements(JsonNode resources) {
        JsonNode requests = resources.path("requests");
        JsonNode limits = resources.path("limits");
        if (requests.isEmpty() && limits.isEmpty()) {
            return BEST_EFFORT;
        }
        PodQos qos = null;
        for (String name : COMPUTE) {
            BigDecimal request = amount(requests.get(name));
            BigDecimal limit = amount(limits.get(name));
            PodQos r;
            if (request == null || limit == null || request.compareTo(limit) != 0) {
                r = BURSTABLE; // null: a quantity that does not parse, never equal to anything
            } else if (request.signum() == 0) {
                r = BEST_EFFORT;
            } else {
                r = GUARANTEED;
            }
            if (r == BURSTABLE) {
                return BURSTABLE;
            }
            if (qos == null) {
                qos = r;
            } else if (qos != r) {
                return BURSTABLE;
            }
        }
        return qos;
    }

    /** A quantity's value; zero when absent; null when it cannot be read. */
    private static @Nullable BigDecimal amount(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return BigDecimal.ZERO;
        }
        if (!node.isString() && !node.isNumber()) {
            return null;
        }
        try {
            return Quantity.getAmountInBytes(Quantity.parse(node.asString()));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
