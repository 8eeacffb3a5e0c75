package io.podguard.engine.placement;

import java.util.SortedSet;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Extended resources ({@code example.com/device}), as {@code helper.IsExtendedResourceName} tells them. */
public final class ExtendedResources {

    private ExtendedResources() {
    }

    /**
     * Not a native resource (no {@code /}, or in {@code kubernetes.io/}), not a quota name
     * ({@code requests.…}), and {@code requests.<name>} a qualified name.
     */
    public static boolean isExtended(String name) {
        if (!name.contains("/") || name.contains("kubernetes.io/") || name.startsWith("requests.")) {
            return false;
        }
        return LabelSyntax.keyError("requests." + name) == null;
    }

    /**
     * The extended resources the pod's containers and init containers request, sorted (the order
     * ExtendedResourceToleration adds tolerations in). A limit counts as a request: the apiserver
     * gives a pod's container the request of each resource it only limits.
     */
    public static SortedSet<String> requested(JsonNode pod) {
        SortedSet<String> names = new TreeSet<>();
        JsonNode spec = pod.path("spec");
        for (String list : new String[] {"containers", "initContainers"}) {
            for (JsonNode container : spec.path(list)) {
                for (String field : new String[] {"requests", "limits"}) {
                    for (String name : container.path("resources").path(field).propertyNames()) {
                        if (isExtended(name)) {
                            names.add(name);
                        }
                    }
                }
            }
        }
        return names;
    }
}
