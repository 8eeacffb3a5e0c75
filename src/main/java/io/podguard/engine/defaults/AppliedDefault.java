package io.podguard.engine.defaults;

/** One default that was set: the defaulter's id and a description ({@code readinessProbe (container app)}). */
public record AppliedDefault(String defaulter, String description) {

    /** {@code readinessProbe (container app)}: one entry of the {@code podguard.io/defaults} annotation. */
    public String entry() {
        return defaulter + " (" + description + ")";
    }
}
