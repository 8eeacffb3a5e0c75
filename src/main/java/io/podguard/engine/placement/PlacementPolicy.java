package io.podguard.engine.placement;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.RuleSet;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The placement in force for one request, its namespace's annotations already read: each part
 * null when off, else with the mode it runs in. It configures both the placement rules
 * ({@link PlacementKind}) and the placement defaulters, which read it from the policy in force
 * ({@link #defaulting}).
 *
 * @param nodeSelector PodNodeSelector
 * @param tolerations PodTolerationRestriction
 * @param extendedResourceTolerations ExtendedResourceToleration
 * @param nodeName the mode of the rule that forbids {@code spec.nodeName}
 * @param nodeLabels which node labels pods may select
 * @param dedicatedNodes pods tolerating a dedicated taint must select its node label
 * @param judged false for a request an exemption exempts as a whole: the rules judge nothing,
 *     the defaults are still set (placement is policy for every pod, like the other defaults)
 */
public record PlacementPolicy(
        @Nullable NodeSelectorPlacement nodeSelector,
        @Nullable TolerationPlacement tolerations,
        @Nullable ExtendedResourceTolerations extendedResourceTolerations,
        @Nullable Mode nodeName,
        @Nullable NodeLabelRestriction nodeLabels,
        @Nullable DedicatedNodes dedicatedNodes,
        boolean judged) implements RuleSet {

    /** No placement at all. */
    public static final PlacementPolicy NONE = new PlacementPolicy(null, null, null, null, null, null);

    /** Parts that judge and set. */
    public PlacementPolicy(@Nullable NodeSelectorPlacement nodeSelector, @Nullable TolerationPlacement tolerations,
                           @Nullable ExtendedResourceTolerations extendedResourceTolerations, @Nullable Mode nodeName,
                           @Nullable NodeLabelRestriction nodeLabels, @Nullable DedicatedNodes dedicatedNodes) {
        this(nodeSelector, tolerations, extendedResourceTolerations, nodeName, nodeLabels, dedicatedNodes, true);
    }

    /**
     * The placement the defaulters set for a request: the policy's, without the parts an exemption
     * names for the whole pod (an exemption that leaves out some images changes no default, which
     * is the pod's); {@link #NONE} when the policy has no placement.
     */
    public static PlacementPolicy defaulting(EffectivePolicy policy) {
        PlacementPolicy placement = policy.rule(PlacementPolicy.class);
        if (placement == null) {
            return NONE;
        }
        Set<String> exempted = null;
        for (MatchedExemption e : policy.exemptions()) {
            if (e.images() == null && !e.rules().isEmpty()) {
                if (exempted == null) {
                    exempted = new HashSet<>(2);
                }
                exempted.addAll(e.rules());
            }
        }
        return exempted == null ? placement : placement.without(exempted);
    }

    public boolean isEmpty() {
        return nodeSelector == null && tolerations == null && extendedResourceTolerations == null && nodeName == null
                && nodeLabels == null && dedicatedNodes == null;
    }

    @Override
    public RuleKind<?> kind() {
        return PlacementKind.INSTANCE;
    }

    /** The modes the rules judge in; none when {@link #judged} is false. */
    @Override
    public Set<Mode> modes() {
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        if (judged) {
            for (PlacementRule rule : PlacementRules.all()) {
                Mode m = rule.mode(this);
                if (m != null) {
                    modes.add(m);
                }
            }
        }
        return modes;
    }

    /** {@link #relaxedTo}: a namespace's {@code podguard.io/mode} label relaxes what enforces, and never raises a warning. */
    @Override
    public PlacementPolicy withMode(Mode mode) {
        return relaxedTo(mode);
    }

    /**
     * For the audit of a policy that enforces nothing: every part enforced, its defaults set and its
     * rules denying, as the policy's CEL rules are.
     */
    @Override
    public PlacementPolicy enforcing() {
        if (!judged || modes().contains(Mode.ENFORCE) || isEmpty()) {
            return this;
        }
        return new PlacementPolicy(
                nodeSelector == null ? null : nodeSelector.withMode(Mode.ENFORCE),
                tolerations == null ? null : tolerations.withMode(Mode.ENFORCE),
                extendedResourceTolerations == null ? null : extendedResourceTolerations.withMode(Mode.ENFORCE),
                nodeName == null ? null : Mode.ENFORCE,
                nodeLabels == null ? null : nodeLabels.withMode(Mode.ENFORCE),
                dedicatedNodes == null ? null : dedicatedNodes.withMode(Mode.ENFORCE),
                judged);
    }

    /** An exemption of the whole request: the rules judge nothing, the defaults stay. */
    @Override
    public @Nullable PlacementPolicy exemptWholeRequest() {
        PlacementPolicy defaultsOnly = new PlacementPolicy(nodeSelector, tolerations, extendedResourceTolerations, nodeName, nodeLabels,
                dedicatedNodes, false);
        return defaultsOnly.setsNothing() ? null : defaultsOnly;
    }

    /** Whether no defaulter sets anything by this placement. */
    private boolean setsNothing() {
        return nodeSelector == null && tolerations == null && extendedResourceTolerations == null;
    }

    /**
     * As PodTolerationRestriction judges an update of a pod ({@link #onUpdate}), when the update
     * changes what placement judges: its tolerations, node selector or node affinity
     * ({@link PlacementUpdates#changed}), on the pod itself (no subresource). Whether Pod Security
     * finds the update significant does not matter: tolerations may be added to a running pod.
     */
    @Override
    public @Nullable PlacementPolicy forPodUpdate(PodObject pod, RequestInfo request, boolean significant) {
        if (!request.subResource().isEmpty() || !PlacementUpdates.changed(pod.podNode(), request.oldObject())) {
            return null;
        }
        PlacementPolicy onUpdate = onUpdate();
        return onUpdate.modes().isEmpty() ? null : onUpdate;
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
                dedicatedNodes != null && dedicatedNodes.mode() == Mode.ENFORCE ? dedicatedNodes.withMode(mode) : dedicatedNodes,
                judged);
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
        return new PlacementPolicy(null, t, extendedResourceTolerations, null, nodeLabels, dedicatedNodes, judged);
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
                ids.contains(PlacementRules.DEDICATED_NODES) ? null : dedicatedNodes,
                judged);
    }

    /** The same with the namespace's PodNodeSelector and PodTolerationRestriction parts replaced. */
    PlacementPolicy with(@Nullable NodeSelectorPlacement selector, @Nullable TolerationPlacement toleration) {
        return new PlacementPolicy(selector, toleration, extendedResourceTolerations, nodeName, nodeLabels, dedicatedNodes, judged);
    }
}
