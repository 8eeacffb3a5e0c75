package io.podguard.engine.defaults;

/**
 * One default that /mutate fills in. Implementations read the typed pod, write only what is
 * unset into the pod's JSON, and record each thing set; applying twice changes nothing.
 */
public interface Defaulter {

    /** Stable id, as used in {@code podguard.io/skip-defaults} and metrics ({@code resources}, {@code preStop} …). */
    String id();

    void apply(DefaultingContext context);
}
