package io.podguard.engine.resources;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * {@code resources.extended}: resources that cannot be overcommitted (extended resources such as
 * {@code nvidia.com/gpu}, and huge pages) are limited, and a request, where set, equals the
 * limit. The apiserver refuses such a pod anyway; this says why before it does, and lets
 * {@code check} tell. Judged wherever the policy has a {@code resources} section.
 */
public final class ExtendedResourcesCheck implements ResourceCheck {

    public static final String ID = "resources.extended";

    @Override
    public String id() {
        return ID;
    }

    /**
     * The requests of {@code pod} that differ from their limits, whatever the policy: a pod the
     * apiserver's own validation refuses and nothing can make valid, which the mutating webhook
     * refuses first, in these words. (A request without a limit the resources default completes;
     * with the defaults off, the apiserver says so itself.)
     */
    public static @Nullable Violation unstorable(PodObject pod) {
        return findings(ContainerResources.of(pod), false);
    }

    /**
     * {@link #unstorable(PodObject)} of {@code sent} as {@code stored} (the whole object, JSON)
     * has it after the mutations, which add or move no container: without typing it again.
     */
    public static @Nullable Violation unstorable(PodObject sent, ObjectNode stored) {
        JsonNode podNode = sent.isPod() ? stored : stored.at(sent.podPointer());
        if (!namesOneNotOvercommittable(podNode.path("spec"))) {
            // Nearly every pod: CPU and memory only, so nothing to compare, no quantity parsed.
            return null;
        }
        return findings(ContainerResources.of(ContainerRef.all(sent.podSpec()), podNode, sent.pathPrefix()), false);
    }

    @Override
    public @Nullable Violation check(PodObject pod, ResourceRules rules) {
        return findings(ContainerResources.of(pod), true);
    }

    /** Whether a container or init container requests or limits a resource that cannot be overcommitted. */
    private static boolean namesOneNotOvercommittable(JsonNode spec) {
        for (ContainerRef.Kind kind : new ContainerRef.Kind[] {ContainerRef.Kind.CONTAINER, ContainerRef.Kind.INIT_CONTAINER}) {
            for (JsonNode container : spec.path(kind.field())) {
                JsonNode resources = container.path("resources");
                for (String field : new String[] {"requests", "limits"}) {
                    for (String name : resources.path(field).propertyNames()) {
                        if (!ResourceNames.overcommitAllowed(name)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static @Nullable Violation findings(List<ContainerResources> containers, boolean withoutLimit) {
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (boolean init : new boolean[] {false, true}) {
            for (ContainerResources c : containers) {
                if ((c.ref().kind() == ContainerRef.Kind.INIT_CONTAINER) != init) {
                    continue;
                }
                TreeSet<String> names = new TreeSet<>(c.setRequests().keySet());
                names.addAll(c.limits().keySet());
                for (String r : names) {
                    if (ResourceNames.overcommitAllowed(r)) {
                        continue;
                    }
                    KubeQuantity limit = c.limit(r);
                    KubeQuantity request = c.setRequests().get(r);
                    if (limit == null && withoutLimit) {
                        details.add(c.describe() + " requests " + r + "=" + request + " without a limit: " + r
                                + " cannot be overcommitted, its limit must be set and equal the request");
                        paths.add(c.path() + ".limits." + r);
                    } else if (limit != null && request != null && request.compareTo(limit) != 0) {
                        details.add(c.describe() + " requests " + r + "=" + request + " but limits it to " + limit + ": " + r
                                + " cannot be overcommitted, request and limit must be equal");
                        paths.add(c.path() + ".requests." + r);
                    }
                }
            }
        }
        return ResourceCheck.violation(ID, "resources not overcommittable", details, paths);
    }
}
