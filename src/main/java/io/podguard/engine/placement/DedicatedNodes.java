package io.podguard.engine.placement;

import io.podguard.engine.Mode;
import java.util.List;

/**
 * The dedicated-nodes pattern: nodes tainted {@code key=group:NoSchedule} and labelled
 * {@code label=group}. A pod that tolerates such a taint must also select the label, with a value
 * it tolerates, or it may take room on the dedicated nodes while running anywhere else too.
 *
 * @param taints the taint keys, each with the node label that goes with it
 */
public record DedicatedNodes(Mode mode, List<Taint> taints) {

    /** A dedicated taint key and its node label key (the same key unless told otherwise). */
    public record Taint(String key, String label) {
    }

    public DedicatedNodes {
        taints = List.copyOf(taints);
    }

    DedicatedNodes withMode(Mode m) {
        return new DedicatedNodes(m, taints);
    }
}
