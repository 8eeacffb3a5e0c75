package io.podguard.engine.defaults;

import io.podguard.engine.EffectivePolicy;

/**
 * One default that /mutate fills in. Implementations read the typed pod, write only what is
 * unset into the pod's JSON, and record each thing set; applying twice changes nothing.
 */
public interface Defaulter {

    /** Stable id, as used in {@code podguard.io/defaults}, metrics and {@code podguard.io/skip-defaults}. */
    String id();

    /**
     * The name a pod opts out of this defaulter with in {@code podguard.io/skip-defaults}, besides
     * its id: both probe defaulters answer to {@code probes}.
     */
    default String optOutName() {
        return id();
    }

    /** Whether the policy's {@code defaults} section turns this defaulter on. */
    boolean isEnabled(DefaultsConfig config);

    void apply(DefaultingContext context);

    /** How a defaulter takes part in one review. */
    enum Run {
        /** It does not run. */
        OFF,
        /** What it sets is in the patch. */
        APPLY,
        /** It only says what it would set ({@code defaults.mode: audit}, or placement in audit or warn mode). */
        DRY_RUN
    }

    /**
     * How it takes part under {@code policy}: the {@code defaults} section's defaulters follow
     * {@code defaults.enabled} and {@code defaults.mode}; placement's follow the {@code placement}
     * section instead.
     */
    default Run run(EffectivePolicy policy) {
        DefaultsConfig config = policy.defaults();
        if (!config.isEnabled() || !isEnabled(config)) {
            return Run.OFF;
        }
        return config.mode() == DefaultsConfig.DefaultsMode.AUDIT ? Run.DRY_RUN : Run.APPLY;
    }

    /**
     * Whether a pod may opt out of it with {@code podguard.io/skip-defaults}. Placement is policy,
     * not a convenience: a pod cannot opt out of its namespace's node selector (an exemption can).
     */
    default boolean optional() {
        return true;
    }
}
