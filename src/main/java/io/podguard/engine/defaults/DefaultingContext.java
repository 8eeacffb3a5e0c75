package io.podguard.engine.defaults;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.PodObject;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.engine.placement.PlacementPolicy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a defaulter works on: the pod as sent (typed, read-only), its JSON copy to change, the
 * policy in force (its {@code defaults} section, and any other section a defaulter reads).
 */
public final class DefaultingContext {

    private final PodObject pod;
    private final ObjectNode podJson;
    private final EffectivePolicy policy;
    private final List<AppliedDefault> applied = new ArrayList<>();
    private @Nullable PlacementPolicy placement;

    public DefaultingContext(PodObject pod, ObjectNode podJson, EffectivePolicy policy) {
        this.pod = pod;
        this.podJson = podJson;
        this.policy = policy;
    }

    public PodObject pod() {
        return pod;
    }

    /** The pod's JSON (a copy): change it in place. */
    public ObjectNode podJson() {
        return podJson;
    }

    /** The policy's {@code defaults} section. */
    public DefaultsConfig config() {
        return policy.defaults();
    }

    /** The policy's {@code resources} rules ({@link ResourceRules#NONE} when it has none in force). */
    public ResourceRules resourceRules() {
        ResourceRules rules = policy.rule(ResourceRules.class);
        return rules == null ? ResourceRules.NONE : rules;
    }

    /** The LimitRanges and ResourceQuotas of the pod's namespace, as far as they are known. */
    public NamespaceResources namespaceResources() {
        return policy.namespaceResources();
    }

    /** The whole policy in force, for defaulters configured by other sections. */
    public EffectivePolicy policy() {
        return policy;
    }

    /** The placement the defaulters set for this pod ({@link PlacementPolicy#defaulting}). */
    public PlacementPolicy placement() {
        if (placement == null) {
            placement = PlacementPolicy.defaulting(policy);
        }
        return placement;
    }

    /** Every container of the pod, typed, in PSA's order (init, regular, ephemeral). */
    public List<ContainerRef> containers() {
        return ContainerRef.all(pod.podSpec());
    }

    /** The JSON of {@code ref} in the copy, or null when it is not an object (never for a decodable pod). */
    public @Nullable ObjectNode containerJson(ContainerRef ref) {
        return podJson.at(ref.pointer()) instanceof ObjectNode node ? node : null;
    }

    /** The copy's {@code spec}, or null when it is missing. */
    public @Nullable ObjectNode specJson() {
        return podJson.get("spec") instanceof ObjectNode node ? node : null;
    }

    /** Records that {@code defaulter} set {@code what}, e.g. {@code resources (container app)}. */
    public void record(String defaulter, String what) {
        applied.add(new AppliedDefault(defaulter, what));
    }

    public List<AppliedDefault> applied() {
        return applied;
    }

    /** How the annotation names a container, LimitRanger-style: {@code container app}, {@code init container setup}. */
    static String describe(ContainerRef ref) {
        return switch (ref.kind()) {
            case CONTAINER -> "container " + ref.name();
            case INIT_CONTAINER -> "init container " + ref.name();
            case EPHEMERAL_CONTAINER -> "ephemeral container " + ref.name();
        };
    }

    /** {@code parent.field} as an object, created when absent or null; null when it holds something else. */
    static @Nullable ObjectNode object(ObjectNode parent, String field) {
        JsonNode existing = parent.get(field);
        if (existing instanceof ObjectNode node) {
            return node;
        }
        if (existing == null || existing.isNull()) {
            return parent.putObject(field);
        }
        return null;
    }

    /** Whether {@code parent.field} is absent or null: the only values a defaulter may fill. */
    static boolean unset(@Nullable JsonNode parent, String field) {
        if (parent == null) {
            return true;
        }
        JsonNode value = parent.get(field);
        return value == null || value.isNull();
    }
}
