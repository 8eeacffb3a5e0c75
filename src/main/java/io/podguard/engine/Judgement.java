package io.podguard.engine;

import io.podguard.engine.defaults.AppliedDefault;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The engine's answer for one object: what the mutating webhook would return, the pod as it
 * would be stored after it, and the judgement of that pod.
 */
public final class Judgement {

    private final PodObject sent;
    private final ArrayNode patch;
    private final List<AppliedDefault> defaults;
    private final List<AppliedDefault> wouldSet;
    private final Map<String, String> mutationAnnotations;
    private final Evaluation evaluation;
    private @Nullable Supplier<PodObject> storedSupplier;
    private @Nullable PodObject stored;
    /** Null when the object was stored as sent: {@link #sent()}'s, its tree built only if asked for. */
    private final @Nullable ObjectNode storedObject;

    Judgement(PodObject sent, ArrayNode patch, List<AppliedDefault> defaults, List<AppliedDefault> wouldSet,
              Map<String, String> mutationAnnotations, @Nullable ObjectNode storedObject, Supplier<PodObject> stored, Evaluation evaluation) {
        this.storedObject = storedObject;
        this.sent = sent;
        this.patch = patch;
        this.defaults = List.copyOf(defaults);
        this.wouldSet = List.copyOf(wouldSet);
        this.mutationAnnotations = Map.copyOf(mutationAnnotations);
        this.storedSupplier = stored;
        this.evaluation = evaluation;
    }

    /** The pod as sent. */
    public PodObject sent() {
        return sent;
    }

    /**
     * The JSON Patch the mutating webhook answers for this object: the defaults and the rule
     * kinds' mutations of a Pod. Empty for a workload (its pods are defaulted when created),
     * when defaults run in audit mode, and when nothing is set.
     */
    public ArrayNode patch() {
        return patch;
    }

    /**
     * What podguard's defaults set on the pod judged (for a workload, what its pods will get):
     * the defaults the judgement assumed, in the patch of a Pod.
     */
    public List<AppliedDefault> defaults() {
        return defaults;
    }

    /**
     * What the defaults in a dry run would have set ({@code defaults.mode: audit}, placement in
     * audit or warn mode): not set, not assumed, said in warnings and the audit log.
     */
    public List<AppliedDefault> wouldSet() {
        return wouldSet;
    }

    /** Whether defaults in a dry run would have set something. */
    public boolean defaultsDryRun() {
        return !wouldSet.isEmpty();
    }

    /** Audit annotations of the mutating webhook's answer ({@code psp-admit-policy} …). */
    public Map<String, String> mutationAnnotations() {
        return mutationAnnotations;
    }

    /**
     * The whole object as it would be stored, as JSON, not typed: {@link #stored()}'s object, for
     * a caller that reads a field or two (share it, never write it).
     */
    public ObjectNode storedObject() {
        return storedObject != null ? storedObject : sent.object();
    }

    /**
     * The pod as it would be stored (for a workload, as its pods would be created): what was
     * judged. {@link #sent()} itself when nothing was set. Built on first use.
     */
    public synchronized PodObject stored() {
        if (stored == null) {
            stored = storedSupplier.get();
            storedSupplier = null;
        }
        return stored;
    }

    /** The judgement of {@link #stored()}; {@link Evaluation#NONE} at {@link Stage#MUTATE}. */
    public Evaluation evaluation() {
        return evaluation;
    }
}
