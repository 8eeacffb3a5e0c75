package io.podguard.engine.resources;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * A LimitRange bound as a rule: one of LimitRanger's constraints, over every container (type
 * {@code Container}: app containers, then init containers, as LimitRanger visits them) or over
 * the pod's effective resources (type {@code Pod}). Each finding is LimitRanger's own sentence,
 * after the container it is about.
 */
abstract class BoundCheck implements ResourceCheck {

    /** LimitRange's {@code Container} or {@code Pod}. */
    enum Scope { CONTAINER, POD }

    /** One of LimitRanger's constraints: its error, or null. */
    @FunctionalInterface
    interface Constraint {
        @Nullable String check(String limitType, String resource, KubeQuantity enforced,
                               Map<String, KubeQuantity> requests, Map<String, KubeQuantity> limits);
    }

    private final String id;
    private final String reason;
    private final Scope scope;
    private final Constraint constraint;

    BoundCheck(String id, String reason, Scope scope, Constraint constraint) {
        this.id = id;
        this.reason = reason;
        this.scope = scope;
        this.constraint = constraint;
    }

    @Override
    public final String id() {
        return id;
    }

    /** The bounds this rule enforces, from the rules in force. */
    abstract SortedMap<String, KubeQuantity> bounds(ResourceRules rules);

    @Override
    public final @Nullable Violation check(PodObject pod, ResourceRules rules) {
        SortedMap<String, KubeQuantity> bounds = bounds(rules);
        if (bounds.isEmpty()) {
            return null;
        }
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        List<ContainerResources> containers = ContainerResources.of(pod);
        if (scope == Scope.POD) {
            PodResources totals = PodResources.of(pod, containers);
            for (Map.Entry<String, KubeQuantity> e : bounds.entrySet()) {
                String error = constraint.check("Pod", e.getKey(), e.getValue(), totals.requests(), totals.limits());
                if (error != null) {
                    details.add("pod: " + error);
                    paths.add(pod.pathPrefix() + "spec.resources." + (aboutLimit(error) ? "limits." : "requests.") + e.getKey());
                }
            }
        } else {
            for (boolean init : new boolean[] {false, true}) {
                for (ContainerResources c : containers) {
                    if ((c.ref().kind() == ContainerRef.Kind.INIT_CONTAINER) != init) {
                        continue;
                    }
                    for (Map.Entry<String, KubeQuantity> e : bounds.entrySet()) {
                        String r = e.getKey();
                        String error = constraint.check("Container", r, e.getValue(), c.requests(), c.limits());
                        if (error != null) {
                            details.add(c.describe() + ": " + error);
                            boolean limit = aboutLimit(error) || !c.setsRequest(r) && c.limit(r) != null;
                            paths.add(c.path() + (limit ? ".limits." : ".requests.") + r);
                        }
                    }
                }
            }
        }
        return ResourceCheck.violation(id, reason, details, paths);
    }

    private static boolean aboutLimit(String error) {
        return error.endsWith("No limit is specified") || error.contains("but limit is") || error.contains("no limit is specified")
                || error.contains("provided ratio");
    }
}
