package io.podguard.engine.defaults;


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
}
