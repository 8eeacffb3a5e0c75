package io.podguard.engine;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pod as podguard judges it: a Pod itself or the pod template of a workload. Its JSON
 * ({@link #object()}) is built on first use when the pod was typed straight from the bytes the
 * apiserver sent: Pod Security reads the typed view only.
 */
public final class PodObject {

    private final String kind;
    private final @Nullable String namespace;
    private final @Nullable String name;
    private final ObjectMeta podMeta;
    private final PodSpec podSpec;
    private final ObjectJson json;
    private final String podPointer;
    /** What {@link #derived} made of this pod, once. */
    private @Nullable Object derived;

    /**
     * @param kind the kind of the object that carries the pod ({@code Pod}, {@code Deployment}, …)
     * @param namespace the object's namespace, if any
     * @param name the object's name (or generateName), if any
     * @param podMeta the pod's (or template's) metadata, typed
     * @param podSpec the pod's (or template's) spec, typed
     * @param object the whole object as sent, untouched; patches are computed against it
     * @param podPointer JSON pointer from the object to the pod ({@code ""} for a Pod, {@code /spec/template} for a Deployment)
     */
    public PodObject(String kind, @Nullable String namespace, @Nullable String name, ObjectMeta podMeta, PodSpec podSpec, ObjectNode object,
            String podPointer) {
        this(kind, namespace, name, podMeta, podSpec, ObjectJson.of(object), podPointer);
    }

    /** As the other constructor, with the object as sent, its tree built when first asked for. */
    PodObject(String kind, @Nullable String namespace, @Nullable String name, ObjectMeta podMeta, PodSpec podSpec, ObjectJson object,
            String podPointer) {
        this.kind = Objects.requireNonNull(kind);
        this.namespace = namespace;
        this.name = name;
        this.podMeta = Objects.requireNonNull(podMeta);
        this.podSpec = Objects.requireNonNull(podSpec);
        this.json = Objects.requireNonNull(object);
        this.podPointer = Objects.requireNonNull(podPointer);
    }

    public String kind() {
        return kind;
    }

    public @Nullable String namespace() {
        return namespace;
    }

    public @Nullable String name() {
        return name;
    }

    public ObjectMeta podMeta() {
        return podMeta;
    }

    public PodSpec podSpec() {
        return podSpec;
    }

    /** The whole object as sent, untouched (share it, never write it); its tree is built on the first call. */
    public ObjectNode object() {
        return (ObjectNode) json.tree();
    }

    /**
     * The whole object as sent, as a parser: over the bytes it was sent as when it came as bytes
     * (its tree is not built for it), else over its tree. The caller closes it.
     */
    public JsonParser parser() {
        return json.hasBytes() ? json.parser() : Json.mapper().treeAsTokens(json.tree());
    }

    /**
     * Parsers over the bytes the object was sent as, from an offset on ({@link ObjectJson#parserAt});
     * null when it came as a tree.
     */
    public java.util.function.@Nullable LongFunction<JsonParser> sentBytes() {
        return json.hasBytes() ? json::parserAt : null;
    }

    /**
     * A value made of this pod by {@code make} (a rule kind's own reading of it), made on the first
     * call with {@code type} and the same one returned after: each review reads its pod so once
     * for every rule kind that wants it.
     */
    public <T> T derived(Class<T> type, Function<PodObject, T> make) {
        return derived(type, made -> true, (pod, before) -> make.apply(pod));
    }

    /**
     * A value made of this pod with {@code type}, as {@link #derived(Class, Function)}, made again
     * when the one made before is not {@code enough}: {@code make} gets the pod and that one (or null).
     */
    public synchronized <T> T derived(Class<T> type, java.util.function.Predicate<T> enough,
                                      java.util.function.BiFunction<PodObject, @Nullable T, T> make) {
        T before = type.isInstance(derived) ? type.cast(derived) : null;
        if (before != null && enough.test(before)) {
            return before;
        }
        T made = make.apply(this, before);
        derived = made;
        return made;
    }

    /** A value made of this pod while it was typed ({@link #derived(Class, Function)} gives it after). */
    public synchronized void derive(Object value) {
        derived = Objects.requireNonNull(value);
    }

    public String podPointer() {
        return podPointer;
    }

    public boolean isPod() {
        return podPointer.isEmpty();
    }

    /** Field path prefix of the pod within the object, for messages: {@code ""} or {@code spec.template.}. */
    public String pathPrefix() {
        return podPointer.isEmpty() ? "" : podPointer.substring(1).replace('/', '.') + ".";
    }

    /**
     * This object with {@code patch} (RFC 6902, against {@link #object()}) applied, read as a pod
     * again; this pod itself when the patch is empty.
     */
    public PodObject patched(ArrayNode patch) {
        if (patch.isEmpty()) {
            return this;
        }
        return PodExtractor.extract(kind, JsonPatch.apply(patch, object())).orElse(this);
    }

    /** The pod's own JSON (the object for a Pod, the template for a workload), as sent. */
    public ObjectNode podNode() {
        return podPointer.isEmpty() ? object() : (ObjectNode) object().at(podPointer);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodObject p && kind.equals(p.kind) && Objects.equals(namespace, p.namespace) && Objects.equals(name, p.name)
                && podMeta.equals(p.podMeta) && podSpec.equals(p.podSpec) && podPointer.equals(p.podPointer) && json.equals(p.json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, namespace, name, podMeta, podSpec, podPointer);
    }

    @Override
    public String toString() {
        return "PodObject[kind=" + kind + ", namespace=" + namespace + ", name=" + name + ", podPointer=" + podPointer + "]";
    }
}
