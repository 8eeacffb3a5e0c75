package io.podguard.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.podguard.engine.Mode;
import io.podguard.engine.Text;
import io.podguard.engine.placement.DedicatedNodes;
import io.podguard.engine.placement.ExtendedResourceTolerations;
import io.podguard.engine.placement.NodeLabelRestriction;
import io.podguard.engine.placement.NodeSelectorPlacement;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.Toleration;
import io.podguard.engine.placement.TolerationPlacement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import io.podguard.engine.Glob;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The {@code placement} section: where pods may run. docs/placement.md describes every key.
 * Each part is off until it is given (an empty map turns it on with its defaults). In a
 * {@code namespaces} entry, each key given replaces the top-level one and the others are
 * inherited; within {@code nodeSelector} and {@code tolerations}, key by key, so that an entry
 * gives a namespace its own selector, defaults or whitelist as the plugins' namespace annotations
 * do, next to the cluster-wide ones.
 *
 * @param mode what the parts do unless they say otherwise: enforce sets the defaults and denies,
 *     audit and warn only say what would be set and denied; null: the policy's {@code mode}
 * @param namespaceAnnotations honour the namespace annotations of kube-apiserver's PodNodeSelector
 *     and PodTolerationRestriction plugins (which turns both parts on)
 * @param nodeSelector PodNodeSelector
 * @param tolerations PodTolerationRestriction
 * @param extendedResourceTolerations ExtendedResourceToleration
 * @param nodeName forbid {@code spec.nodeName}
 * @param nodeLabels which node labels pods may select
 * @param dedicatedNodes pods tolerating a dedicated taint must select its node label
 */
public record PlacementConfig(
        @Nullable Mode mode,
        @Nullable Boolean namespaceAnnotations,
        @Nullable NodeSelector nodeSelector,
        @Nullable Tolerations tolerations,
        @Nullable ExtendedResourceTolerationsConfig extendedResourceTolerations,
        @Nullable Rule nodeName,
        @Nullable NodeLabels nodeLabels,
        @Nullable DedicatedNodesConfig dedicatedNodes) {

    /**
     * PodNodeSelector.
     *
     * @param defaultSelector merged into every pod: the cluster default at the top level, a
     *     namespace's own selector in a {@code namespaces} entry (its annotation, when honoured, wins)
     * @param allowed the whitelist: the labels a pod's merged selector may hold; none: any
     */
    public record NodeSelector(@Nullable Mode mode, @JsonProperty("default") @Nullable Map<String, String> defaultSelector,
                               @Nullable Map<String, String> allowed) {

        NodeSelector over(@Nullable NodeSelector base) {
            return base == null ? this : new NodeSelector(mode != null ? mode : base.mode,
                    defaultSelector != null ? defaultSelector : base.defaultSelector, allowed != null ? allowed : base.allowed);
        }
    }

    /**
     * PodTolerationRestriction.
     *
     * @param defaultTolerations merged into every new pod (a namespace's annotation, when honoured, wins)
     * @param allowed the whitelist: every toleration of a pod must be covered by one of these;
     *     none: any. Named {@code cluster} whitelist in messages at the top level, {@code namespace}
     *     whitelist in a {@code namespaces} entry
     */
    public record Tolerations(@Nullable Mode mode, @JsonProperty("default") @Nullable List<TolerationConfig> defaultTolerations,
                              @Nullable List<TolerationConfig> allowed) {

        Tolerations over(@Nullable Tolerations base) {
            return base == null ? this : new Tolerations(mode != null ? mode : base.mode,
                    defaultTolerations != null ? defaultTolerations : base.defaultTolerations, allowed != null ? allowed : base.allowed);
        }
    }

    /** One toleration, as in a pod. */
    public record TolerationConfig(@Nullable String key, @Nullable String operator, @Nullable String value,
                                   @Nullable String effect, @Nullable Long tolerationSeconds) {

        Toleration toToleration() {
            return new Toleration(Text.orEmpty(key), Text.orEmpty(operator), Text.orEmpty(value), Text.orEmpty(effect), tolerationSeconds);
        }
    }

    /**
     * ExtendedResourceToleration.
     *
     * @param enabled default true once the key is given
     * @param resources globs of the extended resources that get their toleration; none: all
     */
    public record ExtendedResourceTolerationsConfig(@Nullable Boolean enabled, @Nullable Mode mode, @Nullable List<String> resources) {
    }

    /** A rule with nothing to configure but whether it runs, and its mode. */
    public record Rule(@Nullable Boolean enabled, @Nullable Mode mode) {
    }

    /**
     * @param restricted label key (or glob) → the values (or globs) pods may select for it; an
     *     empty list: none; {@code "*"}: any
     */
    public record NodeLabels(@Nullable Boolean enabled, @Nullable Mode mode, @Nullable Map<String, List<String>> restricted) {
    }

    /**
     * @param mode default {@code warn}
     * @param taints the dedicated taint keys, each with its node label (the same key by default)
     */
    public record DedicatedNodesConfig(@Nullable Boolean enabled, @Nullable Mode mode, @Nullable List<DedicatedTaint> taints) {
    }

    /** @param label the node label key that goes with the taint; null: the taint's key */
    public record DedicatedTaint(@Nullable String key, @Nullable String label) {
    }

    /** Whether the plugins' namespace annotations are honoured. */
    public boolean honoursNamespaceAnnotations() {
        return Boolean.TRUE.equals(namespaceAnnotations);
    }

    /** This section in a namespace entry, over {@code base}: each key given replaces base's. */
    PlacementConfig over(@Nullable PlacementConfig base) {
        if (base == null) {
            return this;
        }
        return new PlacementConfig(
                mode != null ? mode : base.mode,
                namespaceAnnotations != null ? namespaceAnnotations : base.namespaceAnnotations,
                nodeSelector == null ? base.nodeSelector : nodeSelector.over(base.nodeSelector),
                tolerations == null ? base.tolerations : tolerations.over(base.tolerations),
                extendedResourceTolerations != null ? extendedResourceTolerations : base.extendedResourceTolerations,
                nodeName != null ? nodeName : base.nodeName,
                nodeLabels != null ? nodeLabels : base.nodeLabels,
                dedicatedNodes != null ? dedicatedNodes : base.dedicatedNodes);
    }

    /**
     * The engine's placement for a policy whose mode is {@code policyMode}.
     *
     * @param namespaceWhitelist whether the tolerations whitelist comes from a {@code namespaces}
     *     entry: it is then the namespace's, not the cluster's
     */
    PlacementPolicy compile(Mode policyMode, boolean namespaceWhitelist) {
        Mode base = mode != null ? mode : policyMode;
        boolean annotations = honoursNamespaceAnnotations();
        NodeSelectorPlacement selector = null;
        if (nodeSelector != null || annotations) {
            NodeSelector ns = nodeSelector != null ? nodeSelector : new NodeSelector(null, null, null);
            selector = new NodeSelectorPlacement(modeOf(ns.mode(), base), copy(ns.defaultSelector()), copy(ns.allowed()), null);
        }
        TolerationPlacement toleration = null;
        if (tolerations != null || annotations) {
            Tolerations t = tolerations != null ? tolerations : new Tolerations(null, null, null);
            toleration = new TolerationPlacement(modeOf(t.mode(), base), tolerations(t.defaultTolerations()), tolerations(t.allowed()),
                    namespaceWhitelist ? TolerationPlacement.NAMESPACE : TolerationPlacement.CLUSTER, null, null);
        }
        ExtendedResourceTolerations extended = null;
        if (extendedResourceTolerations != null && !Boolean.FALSE.equals(extendedResourceTolerations.enabled())) {
            List<String> globs = extendedResourceTolerations.resources() == null ? List.of() : extendedResourceTolerations.resources();
            extended = new ExtendedResourceTolerations(modeOf(extendedResourceTolerations.mode(), base), matcher(globs, true));
        }
        Mode name = nodeName != null && !Boolean.FALSE.equals(nodeName.enabled()) ? modeOf(nodeName.mode(), base) : null;
        NodeLabelRestriction labels = null;
        if (nodeLabels != null && !Boolean.FALSE.equals(nodeLabels.enabled())) {
            List<NodeLabelRestriction.Entry> entries = new ArrayList<>();
            Map<String, List<String>> restricted = nodeLabels.restricted() == null ? Map.of() : nodeLabels.restricted();
            restricted.forEach((key, values) -> {
                List<String> allowed = values == null ? List.of() : values;
                entries.add(new NodeLabelRestriction.Entry(key, matcher(List.of(key), false), allowed, matcher(allowed, false),
                        allowed.contains("*")));
            });
            labels = new NodeLabelRestriction(modeOf(nodeLabels.mode(), base), entries);
        }
        DedicatedNodes dedicated = null;
        if (dedicatedNodes != null && !Boolean.FALSE.equals(dedicatedNodes.enabled())) {
            List<DedicatedNodes.Taint> taints = new ArrayList<>();
            for (DedicatedTaint t : dedicatedNodes.taints() == null ? List.<DedicatedTaint>of() : dedicatedNodes.taints()) {
                if (t != null && t.key() != null) {
                    taints.add(new DedicatedNodes.Taint(t.key(), t.label() != null ? t.label() : t.key()));
                }
            }
            dedicated = new DedicatedNodes(dedicatedNodes.mode() != null ? dedicatedNodes.mode() : Mode.WARN, taints);
        }
        return new PlacementPolicy(selector, toleration, extended, name, labels, dedicated);
    }

    private static Mode modeOf(@Nullable Mode own, Mode base) {
        return own != null ? own : base;
    }

    private static List<Toleration> tolerations(@Nullable List<TolerationConfig> configs) {
        if (configs == null) {
            return List.of();
        }
        List<Toleration> out = new ArrayList<>(configs.size());
        for (TolerationConfig c : configs) {
            out.add(c == null ? new Toleration("", "", "", "", null) : c.toToleration());
        }
        return out;
    }

    /** Any of {@code globs}; an empty list matches everything when {@code emptyMatchesAll}, else nothing. */
    private static Predicate<String> matcher(List<String> globs, boolean emptyMatchesAll) {
        if (globs.isEmpty()) {
            return value -> emptyMatchesAll;
        }
        List<Glob> compiled = globs.stream().map(Glob::compile).toList();
        return value -> Glob.any(compiled, value);
    }

    /** A copy of {@code map} in its order; empty for none. */
    private static Map<String, String> copy(@Nullable Map<String, String> map) {
        return map == null ? Map.of() : new LinkedHashMap<>(map);
    }
}
