package io.podguard.engine.defaults;

import io.podguard.engine.placement.NodeSelectorPlacement;
import io.podguard.engine.placement.NodeSelectors;
import io.podguard.engine.placement.PlacedPod;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.Mode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code placement.nodeSelector}, PodNodeSelector's mutation: the namespace's node selector is
 * merged into the pod's {@code spec.nodeSelector} (the pod's own labels kept as written, the
 * namespace's added after them). A pod whose selector conflicts with its namespace's, or whose
 * namespace annotation cannot be read, is left as it is: the rule of the same id refuses it.
 */
final class NodeSelectorDefaulter extends PlacementDefaulter {

    @Override
    public String id() {
        return PlacementRules.NODE_SELECTOR;
    }

    @Override
    @Nullable Mode mode(PlacementPolicy placement) {
        return placement.nodeSelector() == null ? null : placement.nodeSelector().mode();
    }

    @Override
    public void apply(DefaultingContext context) {
        NodeSelectorPlacement ns = context.placement().nodeSelector();
        if (ns == null || ns.error() != null || !(context.podJson().get("spec") instanceof ObjectNode)) {
            return;
        }
        Map<String, String> own = PlacedPod.nodeSelector(context.podJson());
        Map<String, String> merged = PlacedPod.mergeSelector(ns, own);
        if (merged == null || merged.equals(own)) {
            return;
        }
        ObjectNode selector = context.object(context.specJson(), "nodeSelector");
        if (selector == null) {
            return;
        }
        Map<String, String> added = new LinkedHashMap<>();
        merged.forEach((key, value) -> {
            if (!own.containsKey(key)) {
                selector.put(key, value);
                added.put(key, value);
            }
        });
        context.record(id(), NodeSelectors.format(added));
    }
}
