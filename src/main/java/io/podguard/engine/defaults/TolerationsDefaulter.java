package io.podguard.engine.defaults;

import io.podguard.engine.placement.PlacedPod;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.placement.Toleration;
import io.podguard.engine.placement.TolerationPlacement;
import io.podguard.engine.placement.Tolerations;
import io.podguard.engine.Mode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code placement.tolerations}, PodTolerationRestriction's mutation on create: the namespace's
 * default tolerations and, for a pod that is not BestEffort (after the resources default), the
 * memory-pressure toleration are merged into {@code spec.tolerations} by Kubernetes' rules: the
 * pod's own first, then the new ones, leaving out any that another one covers. The pod's own
 * entries that stay are kept as written.
 */
final class TolerationsDefaulter extends PlacementDefaulter {

    @Override
    public String id() {
        return PlacementRules.TOLERATIONS;
    }

    @Override
    @Nullable Mode mode(PlacementPolicy placement) {
        return placement.tolerations() == null ? null : placement.tolerations().mode();
    }

    @Override
    public void apply(DefaultingContext context) {
        TolerationPlacement tp = context.placement().tolerations();
        if (tp == null || tp.defaultsError() != null || !(context.podJson().get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode existing = spec.get("tolerations");
        if (existing != null && !existing.isNull() && !existing.isArray()) {
            return;
        }
        List<Toleration> own = PlacedPod.tolerations(context.podJson());
        if (own.size() > Tolerations.MAX) {
            return; // refused by the rule
        }
        List<Toleration> extras = PlacedPod.extraTolerations(tp, context.podJson());
        if (extras.isEmpty()) {
            return;
        }
        List<Integer> merged = Tolerations.merge(own, extras);
        List<Integer> unchanged = new ArrayList<>(own.size());
        for (int i = 0; i < own.size(); i++) {
            unchanged.add(i);
        }
        if (merged.equals(unchanged)) {
            return;
        }
        ArrayNode out = spec.arrayNode();
        List<String> added = new ArrayList<>();
        for (int i : merged) {
            if (i < own.size()) {
                out.add(existing.get(i));
            } else {
                Toleration t = extras.get(i - own.size());
                out.add(t.toJson());
                added.add(t.toString());
            }
        }
        context.specJson().set("tolerations", out);
        context.record(id(), added.isEmpty() ? "redundant tolerations left out" : String.join(", ", added));
    }
}
