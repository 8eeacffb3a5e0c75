package io.podguard.engine.defaults;

/** One default that was set: the defaulter's id and a description ({@code readinessProbe (container app)}). */
public record AppliedDefault(String defaulter, String description) {
}
