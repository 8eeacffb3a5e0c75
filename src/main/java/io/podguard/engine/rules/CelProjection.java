package io.podguard.engine.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The parts of an object that a policy's CEL expressions can read ({@link CelReads}), as a tree
 * of field names: {@link CelJson} builds those parts of the object and leaves the rest as the
 * bytes it was sent as, so a review does not make values no expression reads (on the benchmark's
 * pod, 20 rules read a fifth of it).
 *
 * <p>A node is one value of the object. {@link #ALL} is the value whole. Any other node is an
 * object whose keys are all kept (so {@code has()}, {@code in} and the size of a map are right
 * without its values) and whose values are built only where the node has a child for the key
 * ({@link #field}), or a child for every key or element ({@code *}); an array keeps every
 * element's place, built only under such a child; a string, number, boolean or null under any
 * node is built. A value without a node is not built: it stays a mark of where it starts in the
 * bytes, made on first read should anything read it after all.
 *
 * <p>Immutable; equal when they project the same parts.
 */
public final class CelProjection {

    /** Every part of the value. */
    static final CelProjection ALL = new CelProjection(true, Map.of(), null);

    /** The value itself only: an object's keys, an array's length, a scalar. */
    static final CelProjection SHAPE = new CelProjection(false, Map.of(), null);

    /** A path with this step reads every key or element of its value. */
    static final String ANY = "*";

    private final boolean all;
    private final Map<String, CelProjection> fields;
    private final @Nullable CelProjection any;
    /** This projection of a pod, placed where each kind keeps its pod ({@link #asSent}). */
    private final Map<String, CelProjection> placed = new ConcurrentHashMap<>(4);

    private CelProjection(boolean all, Map<String, CelProjection> fields, @Nullable CelProjection any) {
        this.all = all;
        this.fields = fields;
        this.any = any;
    }

    /**
     * The projection that reads what {@code shaped} paths lead to (their values' shape: keys,
     * length, scalars) and {@code whole} paths whole. A path is a list of field names from the
     * root, {@value #ANY} standing for every key or element.
     */
    static CelProjection of(Collection<List<String>> shaped, Collection<List<String>> whole) {
        Builder root = new Builder();
        for (List<String> p : shaped) {
            root.at(p);
        }
        for (List<String> p : whole) {
            root.at(p).all = true;
        }
        return root.build();
    }

    /** Whether the value is read whole. */
    boolean all() {
        return all;
    }

    /** The projection of the value at {@code key} of an object read with this one; null: not read. */
    @Nullable CelProjection field(String key) {
        if (all) {
            return ALL;
        }
        CelProjection f = fields.get(key);
        return f != null ? f : any;
    }

    /** The projection of every element of an array read with this one; null: not read. */
    @Nullable CelProjection element() {
        return all ? ALL : any;
    }

    /** What this projection or {@code other} reads. */
    public CelProjection union(CelProjection other) {
        if (this == other || all || other.shapeOnly()) {
            return this;
        }
        if (other.all || shapeOnly()) {
            return other;
        }
        Map<String, CelProjection> f = new LinkedHashMap<>(fields);
        other.fields.forEach((k, v) -> f.merge(k, v, CelProjection::union));
        CelProjection a = any == null ? other.any : other.any == null ? any : any.union(other.any);
        return normalized(false, f, a);
    }

    /** Whether everything {@code other} reads, this reads too. */
    boolean covers(@Nullable CelProjection other) {
        if (other == null || this == other || all) {
            return true;
        }
        if (other.all) {
            return false;
        }
        if (other.any != null && (any == null || !any.covers(other.any))) {
            return false;
        }
        for (Map.Entry<String, CelProjection> e : other.fields.entrySet()) {
            CelProjection mine = field(e.getKey());
            if (mine == null || !mine.covers(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Whether only the value itself is read: an object's keys, an array's length, a scalar. */
    private boolean shapeOnly() {
        return !all && fields.isEmpty() && any == null;
    }

    /**
     * This projection of a pod (what rules read of {@code object}, a workload's template dressed as
     * a Pod: {@link RuleInput#asPod}) as a projection of the object that carries it, the pod at
     * {@code podPointer} ({@code ""}, {@code /spec/template} …): the template's metadata and spec
     * as the pod's, the way there and the two themselves always (dressing the template reads them).
     */
    CelProjection asSent(String podPointer) {
        if (podPointer.isEmpty()) {
            return this;
        }
        return placed.computeIfAbsent(podPointer, p -> {
            Map<String, CelProjection> pod = new LinkedHashMap<>();
            for (String part : List.of("metadata", "spec")) {
                CelProjection f = field(part);
                pod.put(part, f == null ? SHAPE : f);
            }
            CelProjection node = normalized(false, pod, null);
            List<String> steps = List.of(p.substring(1).split("/"));
            for (int i = steps.size() - 1; i >= 0; i--) {
                node = new CelProjection(false, Map.of(steps.get(i), node), null);
            }
            return node;
        });
    }

    /** A node whose every named child also reads what its {@code *} child reads. */
    private static CelProjection normalized(boolean all, Map<String, CelProjection> fields, @Nullable CelProjection any) {
        if (all) {
            return ALL;
        }
        if (any != null) {
            fields.replaceAll((k, v) -> v.union(any));
        }
        return fields.isEmpty() && any == null ? SHAPE : new CelProjection(false, Map.copyOf(fields), any);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CelProjection p && all == p.all && fields.equals(p.fields) && Objects.equals(any, p.any);
    }

    @Override
    public int hashCode() {
        return Objects.hash(all, fields, any);
    }

    /** As paths: {@code spec.containers.*.image} for what is read whole, {@code (shape)} after what is read for its shape only. */
    @Override
    public String toString() {
        List<String> out = new ArrayList<>();
        describe("", out);
        return String.join(", ", out);
    }

    private void describe(String at, List<String> out) {
        if (all) {
            out.add(at.isEmpty() ? "(all)" : at);
            return;
        }
        if (shapeOnly()) {
            out.add((at.isEmpty() ? "" : at + " ") + "(shape)");
            return;
        }
        new java.util.TreeMap<>(fields).forEach((k, v) -> v.describe(at.isEmpty() ? k : at + "." + k, out));
        if (any != null) {
            any.describe(at.isEmpty() ? ANY : at + "." + ANY, out);
        }
    }

    /** A tree being built from paths. */
    private static final class Builder {
        boolean all;
        final Map<String, Builder> fields = new LinkedHashMap<>();
        @Nullable Builder any;

        Builder at(List<String> path) {
            Builder b = this;
            for (String step : path) {
                if (step.equals(ANY)) {
                    if (b.any == null) {
                        b.any = new Builder();
                    }
                    b = b.any;
                } else {
                    b = b.fields.computeIfAbsent(step, k -> new Builder());
                }
            }
            return b;
        }

        CelProjection build() {
            if (all) {
                return ALL;
            }
            Map<String, CelProjection> f = new LinkedHashMap<>();
            fields.forEach((k, v) -> f.put(k, v.build()));
            return normalized(false, f, any == null ? null : any.build());
        }
    }
}
