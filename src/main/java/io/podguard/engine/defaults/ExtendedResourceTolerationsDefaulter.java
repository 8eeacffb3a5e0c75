package io.podguard.engine.defaults;

import io.podguard.engine.placement.ExtendedResourceTolerations;
import io.podguard.engine.placement.PlacedPod;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.placement.Toleration;
import io.podguard.engine.Mode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code placement.extendedResourceTolerations}, ExtendedResourceToleration's mutation: for each
 * extended resource the pod's containers or init containers request (after the resources
 * default), in name order, the toleration {@code key: <resource>, operator: Exists, effect:
 * NoSchedule} replaces the pod's tolerations with the same key, operator, value and effect (which
 * differ from it only in {@code tolerationSeconds}), or is appended. Nodes offering a device are
 * tainted with its name, so that only pods that need it land there.
 */
final class ExtendedResourceTolerationsDefaulter extends PlacementDefaulter {

    @Override
    public String id() {
        return PlacementRules.EXTENDED_RESOURCE_TOLERATIONS;
    }

    @Override
    @Nullable Mode mode(PlacementPolicy placement) {
        return placement.extendedResourceTolerations() == null ? null : placement.extendedResourceTolerations().mode();
    }

    @Override
    public void apply(DefaultingContext context) {
        ExtendedResourceTolerations ert = context.placement().extendedResourceTolerations();
        if (ert == null || !(context.podJson().get("spec") instanceof ObjectNode read)) {
            return;
        }
        JsonNode existing = read.get("tolerations");
        if (existing != null && !existing.isNull() && !existing.isArray()) {
            return;
        }
        List<String> added = new ArrayList<>();
        for (Toleration toleration : PlacedPod.extendedResourceTolerations(ert, context.podJson())) {
            ArrayNode list = context.array(context.specJson(), "tolerations");
            boolean matched = false;
            boolean changed = false;
            for (int i = 0; i < list.size(); i++) {
                Toleration t = Toleration.of(list.get(i));
                if (toleration.matches(t)) {
                    matched = true;
                    if (!toleration.equals(t)) {
                        list.set(i, toleration.toJson());
                        changed = true;
                    }
                }
            }
            if (!matched) {
                list.add(toleration.toJson());
                changed = true;
            }
            if (changed) {
                added.add(toleration.key());
            }
        }
        if (!added.isEmpty()) {
            context.record(id(), String.join(", ", added));
        }
    }
}
