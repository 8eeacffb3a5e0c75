package io.podguard.engine.defaults;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.PodObject;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.engine.placement.PlacementPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a defaulter works on: the pod as sent (typed, read-only), the object as the defaulters so
 * far left it, and the policy in force (its {@code defaults} section, and any other section a
 * defaulter reads).
 *
 * <p>The object as sent is never written. A defaulter writes into nodes it gets from
 * {@link #specJson()}, {@link #containerJson}, {@link #writablePod()}, {@link #object} and
 * {@link #array}: the first write copies the path from the root to the node, one level deep each
 * (copy on write); everything else stays shared with the object as sent, and the patch is read
 * off the copied paths ({@link io.podguard.engine.SharedTreePatch}). Nodes a defaulter creates are
 * its own to fill.
 */
public final class DefaultingContext {

    private final PodObject pod;
    private final EffectivePolicy policy;
    private final ObjectNode original;
    private ObjectNode root;
    /** The nodes copied or created here, by identity: only these may be written. */
    private final Set<JsonNode> owned = Collections.newSetFromMap(new IdentityHashMap<>(8));
    private final List<AppliedDefault> applied = new ArrayList<>();
    private @Nullable PlacementPolicy placement;

    public DefaultingContext(PodObject pod, EffectivePolicy policy) {
        this.pod = pod;
        this.policy = policy;
        this.original = pod.object();
        this.root = original;
    }

    public PodObject pod() {
        return pod;
    }

    /** The whole object as the defaulters so far left it: the object as sent when nothing was written. */
    public ObjectNode object() {
        return root;
    }

    /** The pod's JSON as the defaulters so far left it: read it, never write it (see {@link #writablePod()}). */
    public ObjectNode podJson() {
        return pod.isPod() ? root : (ObjectNode) root.at(pod.podPointer());
    }

    /** The pod's JSON, writable. */
    public ObjectNode writablePod() {
        ObjectNode node = writable(pod.podPointer());
        if (node == null) {
            throw new IllegalStateException("no pod at " + pod.podPointer());
        }
        return node;
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

    /** The JSON of {@code ref}, writable, or null when it is not an object (never for a decodable pod). */
    public @Nullable ObjectNode containerJson(ContainerRef ref) {
        JsonNode node = step(step(step(writable(pod.podPointer()), "spec"), ref.kind().field()), ref.index());
        return node instanceof ObjectNode object ? object : null;
    }

    /** The JSON of {@code ref} as it is now, to read, or null when it is not an object. */
    public @Nullable ObjectNode readContainer(ContainerRef ref) {
        JsonNode list = podJson().path("spec").get(ref.kind().field());
        return list instanceof ArrayNode a && a.get(ref.index()) instanceof ObjectNode node ? node : null;
    }

    /** The pod's {@code spec}, writable, or null when it is missing. */
    public @Nullable ObjectNode specJson() {
        return step(writable(pod.podPointer()), "spec") instanceof ObjectNode spec ? spec : null;
    }

    /**
     * The object node at {@code pointer} (podguard's own pointers: no escaped tokens), writable:
     * each node on the way that is still the object as sent's is copied, one level deep, into its
     * copied parent. Null when a node on the way is missing or not an object or list.
     */
    private @Nullable ObjectNode writable(String pointer) {
        if (!owned.contains(root)) {
            root = (ObjectNode) own(shallowCopy(original));
        }
        JsonNode node = root;
        int start = 1;
        while (node != null && start <= pointer.length()) {
            int end = pointer.indexOf('/', start);
            if (end < 0) {
                end = pointer.length();
            }
            String token = pointer.substring(start, end);
            start = end + 1;
            node = node instanceof ArrayNode ? step(node, index(token)) : step(node, token);
        }
        return node instanceof ObjectNode object ? object : null;
    }

    /** The object or list at {@code parent.field}, writable; null when there is none. */
    private @Nullable JsonNode step(@Nullable JsonNode parent, String field) {
        if (parent instanceof ObjectNode object && object.get(field) instanceof JsonNode child && child.isContainer()) {
            return writableChild(object, field, child);
        }
        return null;
    }

    /** The object or list at {@code parent[index]}, writable; null when there is none. */
    private @Nullable JsonNode step(@Nullable JsonNode parent, int index) {
        if (parent instanceof ArrayNode list && index >= 0 && index < list.size() && list.get(index).isContainer()) {
            JsonNode child = list.get(index);
            if (!owned.contains(child)) {
                child = own(shallowCopy(child));
                list.set(index, child);
            }
            return child;
        }
        return null;
    }

    private JsonNode writableChild(ObjectNode parent, String field, JsonNode child) {
        if (owned.contains(child)) {
            return child;
        }
        JsonNode copy = own(shallowCopy(child));
        parent.set(field, copy);
        return copy;
    }

    private static int index(String token) {
        if (token.isEmpty() || token.length() > 9) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static JsonNode shallowCopy(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            copy.setAll(object);
            return copy;
        }
        ArrayNode list = (ArrayNode) node;
        ArrayNode copy = list.arrayNode(list.size());
        copy.addAll(list);
        return copy;
    }

    private <T extends JsonNode> T own(T node) {
        owned.add(node);
        return node;
    }

    private void requireWritable(ObjectNode parent) {
        if (!owned.contains(parent)) {
            throw new IllegalStateException("a defaulter wrote into the object as sent");
        }
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

    /**
     * {@code parent.field} as an object, writable, created when absent or null; null when it holds
     * something else. {@code parent} is a writable node (or one a defaulter created).
     */
    @Nullable ObjectNode object(ObjectNode parent, String field) {
        requireWritable(parent);
        JsonNode existing = parent.get(field);
        if (existing instanceof ObjectNode node) {
            return (ObjectNode) writableChild(parent, field, node);
        }
        if (existing == null || existing.isNull()) {
            return own(parent.putObject(field));
        }
        return null;
    }

    /** {@code parent.field} as a list, writable, created when absent or null; null when it holds something else. */
    @Nullable ArrayNode array(ObjectNode parent, String field) {
        requireWritable(parent);
        JsonNode existing = parent.get(field);
        if (existing instanceof ArrayNode node) {
            return (ArrayNode) writableChild(parent, field, node);
        }
        if (existing == null || existing.isNull()) {
            return own(parent.putArray(field));
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
