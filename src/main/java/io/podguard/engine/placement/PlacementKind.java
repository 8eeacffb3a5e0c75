package io.podguard.engine.placement;

import io.podguard.engine.Findings;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Violation;
import io.podguard.engine.Wording;
import java.util.List;
import java.util.Set;

/**
 * Placement as a rule kind (docs/placement.md): the rules of {@link PlacementRules}, each in the
 * mode of its part of the {@code placement} section, judging the pod as kube-apiserver's
 * placement plugins would leave it. The plugins' own refusals keep their words; podguard's come
 * after {@code violates placement rules: }. What placement sets on a pod is set by podguard's
 * defaulters ({@code engine/defaults}), which read the same {@link PlacementPolicy}.
 */
public final class PlacementKind implements RuleKind<PlacementPolicy> {

    public static final String ID = "placement";
    public static final PlacementKind INSTANCE = new PlacementKind();

    private static final Wording WORDING = new Wording() {
        @Override
        public String message(List<Violation> violations, boolean denied) {
            return denied ? PlacementRules.denialMessage(violations) : PlacementRules.warningMessage(violations);
        }
    };

    private PlacementKind() {
    }

    @Override
    public String id() {
        return ID;
    }

    /** The rule ids and the id of the ExtendedResourceToleration default, which an exemption may name too. */
    @Override
    public Set<String> ruleIds() {
        return PlacementRules.IDS;
    }

    @Override
    public void evaluate(PlacementPolicy config, PodObject pod, RequestInfo request, Findings out) {
        if (!config.judged()) {
            return;
        }
        PlacedPod placed = null;
        for (Mode mode : Mode.values()) {
            List<String> ids = PlacementRules.judging(config, mode);
            if (!ids.isEmpty()) {
                if (placed == null) {
                    placed = PlacedPod.of(pod.podNode(), config); // once for every mode
                }
                out.add(mode, null, ids, PlacementRules.evaluate(pod, placed, config, mode), WORDING);
            }
        }
    }
}
