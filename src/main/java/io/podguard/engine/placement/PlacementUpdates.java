package io.podguard.engine.placement;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Which updates of a running pod placement judges. */
public final class PlacementUpdates {

    /** The fields of a pod's spec that say where it may run and that an update may change. */
    private static final String[] FIELDS = {"tolerations", "nodeSelector", "affinity"};

    private PlacementUpdates() {
    }

    /**
     * Whether an update changes what placement judges on an existing pod: its tolerations (which an
     * update may add to), node selector or node affinity (which may be set while scheduling gates
     * hold the pod). Without a readable old object: yes (fail safe).
     *
     * @param pod the pod as sent
     * @param old the pod before the update; null when unknown
     */
    public static boolean changed(JsonNode pod, @Nullable JsonNode old) {
        if (old == null || !old.isObject()) {
            return true;
        }
        JsonNode spec = pod.path("spec");
        JsonNode oldSpec = old.path("spec");
        for (String field : FIELDS) {
            if (!spec.path(field).equals(oldSpec.path(field))) {
                return true;
            }
        }
        return false;
    }
}
