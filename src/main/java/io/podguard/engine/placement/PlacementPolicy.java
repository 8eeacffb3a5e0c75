package io.podguard.engine.placement;

import io.podguard.policy.Mode;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The placement in force for one request, its namespace's annotations already read: each part
 * null when off, else with the mode it runs in.
 *
 * @param nodeSelector PodNodeSelector
 * @param tolerations PodTolerationRestriction
 * @param extendedResourceTolerations ExtendedResourceToleration
 * @param nodeName the mode of the rule that forbids {@code spec.nodeName}
 * @param nodeLabels which node labels pods may select
 * @param dedicatedNodes pods tolerating a dedicated taint must select its node label
 */
public record PlacementPolicy(
        @Nullable NodeSelectorPlacement nodeSelector,
        @Nullable TolerationPlacement tolerations,
        @Nullable ExtendedResourceTolerations extendedResourceTolerations,
        @Nullable Mode nodeName,
        @Nullable NodeLabelRestriction nodeLabels,
        @Nullable DedicatedNodes dedicatedNodes) {

    /** No placement at all. */
    public static final PlacementPolicy NONE = new PlacementPolicy(null, null, null, null, null, null);

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Whether a rule judges in {@code mode}. */
    public boolean judgesIn(Mode mode) {
        for (PlacementRule rule : PlacementRules.all()) {
            if (rule.mode(this) == mode) {
                return true;
            }
        }
        return false;
    }

    /**
     * As a namespace's {@code podguard.io/mode} label asks: audit or warn turns what enforces into
     * that mode; enforce changes nothing (a rule that only warns keeps warning).
     */
    public PlacementPolicy relaxedTo(Mode mode) {
        if (mode == Mode.ENFORCE || isEmpty()) {
            return this;
        }
        return new PlacementPolicy(
                nodeSelector != null && nodeSelector.mode() == Mode.ENFORCE ? nodeSelector.withMode(mode) : nodeSelector,
                tolerations != null && tolerations.mode() == Mode.ENFORCE ? tolerations.withMode(mode) : tolerations,
                extendedResourceTolerations != null && extendedResourceTolerations.mode() == Mode.ENFORCE
                        ? extendedResourceTolerations.withMode(mode) : extendedResourceTolerations,
                nodeName == Mode.ENFORCE ? mode : nodeName,
                nodeLabels != null && nodeLabels.mode() == Mode.ENFORCE ? nodeLabels.withMode(mode) : nodeLabels,
                dedicatedNodes != null && dedicatedNodes.mode() == Mode.ENFORCE ? dedicatedNodes.withMode(mode) : dedicatedNodes);
    }

    /**
     * What judges an update of an existing pod, as the plugins judge one: PodTolerationRestriction's
     * whitelist (no default tolerations merged: they were at create), the node labels the pod selects
     * and the dedicated-nodes rule. PodNodeSelector judges creates only, and a pod's node is set
     * through the {@code binding} subresource, which is not judged.
     */
    public PlacementPolicy onUpdate() {
        TolerationPlacement t = tolerations == null ? null
                : new TolerationPlacement(tolerations.mode(), java.util.List.of(), tolerations.whitelist(), tolerations.whitelistScope(),
                        null, tolerations.whitelistError());
        return new PlacementPolicy(null, t, extendedResourceTolerations, null, nodeLabels, dedicatedNodes);
    }

    /** The same without the parts whose ids an exemption names: neither set nor judged. */
    public PlacementPolicy without(Set<String> ids) {
        if (ids.isEmpty() || isEmpty()) {
            return this;
        }
        return new PlacementPolicy(
                ids.contains(PlacementRules.NODE_SELECTOR) ? null : nodeSelector,
                ids.contains(PlacementRules.TOLERATIONS) ? null : tolerations,
                ids.contains(PlacementRules.EXTENDED_RESOURCE_TOLERATIONS) ? null : extendedResourceTolerations,
                ids.contains(PlacementRules.NODE_NAME) ? null : nodeName,
                ids.contains(PlacementRules.NODE_LABELS) ? null : nodeLabels,
                ids.contains(PlacementRules.DEDICATED_NODES) ? null : dedicatedNodes);
    }

    /** The same with the namespace's PodNodeSelector and PodTolerationRestriction parts replaced. */
    PlacementPolicy with(@Nullable NodeSelectorPlacement selector, @Nullable TolerationPlacement toleration) {
        return new PlacementPolicy(selector, toleration, extendedResourceTolerations, nodeName, nodeLabels, dedicatedNodes);
    }
}
