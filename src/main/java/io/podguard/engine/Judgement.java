package io.podguard.engine;

import io.podguard.engine.defaults.AppliedDefault;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;

/**
 * The engine's answer for one object: what the mutating webhook would return, the pod as it
 * would be stored after it, and the judgement of that pod.
 */
public final class Judgement {

    private final PodObject sent;
    private final ArrayNode patch;
    private final List<AppliedDefault> defaults;
    private final boolean defaultsDryRun;
    private final Map<String, String> mutationAnnotations;
    private final Evaluation evaluation;
    private @Nullable Supplier<PodObject> storedSupplier;
    private @Nullable PodObject stored;

    Judgement(PodObject sent, ArrayNode patch, List<AppliedDefault> defaults, boolean defaultsDryRun,
              Map<String, String> mutationAnnotations, Supplier<PodObject> stored, Evaluation evaluation) {
        this.sent = sent;
        this.patch = patch;
        this.defaults = List.copyOf(defaults);
        this.defaultsDryRun = defaultsDryRun;
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
     * What podguard's defaults set on the pod judged (for a workload, what its pods will get);
     * with {@link #defaultsDryRun()}, what they would set.
     */
    public List<AppliedDefault> defaults() {
        return defaults;
    }

    /** True when {@code defaults.mode: audit} kept the defaults from being set. */
    public boolean defaultsDryRun() {
        return defaultsDryRun;
    }

    /** The defaults the judgement assumed were set: none when they only ran as a dry run. */
    public List<AppliedDefault> defaultsAssumed() {
        return defaultsDryRun ? List.of() : defaults;
    }

    /** Audit annotations of the mutating webhook's answer ({@code psp-admit-policy} …). */
    public Map<String, String> mutationAnnotations() {
        return mutationAnnotations;
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
