package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import org.jspecify.annotations.Nullable;

/**
 * The {@code podSecurity} section: the Pod Security Standards level and version to judge
 * against. The short form ({@code level}, {@code version}) applies to the policy's {@code mode};
 * {@code enforce}, {@code audit} and {@code warn} may each name their own level, PSA-style
 * (enforce baseline while warning on restricted).
 *
 * @param namespaceLabels whether Pod Security Admission's namespace labels
 *     ({@code pod-security.kubernetes.io/enforce} … and their {@code -version} labels) set each
 *     mode's level and version in their namespace, as PSA reads them ({@link PodSecurityLabels});
 *     the levels above are then the defaults of unlabelled namespaces. Top level only.
 */
public record PodSecurityConfig(
        @Nullable String level,
        @Nullable String version,
        @Nullable ModeLevel enforce,
        @Nullable ModeLevel audit,
        @Nullable ModeLevel warn,
        @Nullable Boolean namespaceLabels) {

    public static final PodSecurityConfig DEFAULT = new PodSecurityConfig("restricted", "latest", null, null, null);

    public PodSecurityConfig {
        level = level == null ? "restricted" : level;
        version = version == null ? "latest" : version;
    }

    /** Without PSA's namespace labels. */
    public PodSecurityConfig(@Nullable String level, @Nullable String version, @Nullable ModeLevel enforce,
                             @Nullable ModeLevel audit, @Nullable ModeLevel warn) {
        this(level, version, enforce, audit, warn, null);
    }

    /** Whether PSA's namespace labels set the levels ({@code namespaceLabels: true}). */
    public boolean readsNamespaceLabels() {
        return Boolean.TRUE.equals(namespaceLabels);
    }

    /** The same section, reading PSA's namespace labels or not. */
    public PodSecurityConfig withNamespaceLabels(@Nullable Boolean labels) {
        return new PodSecurityConfig(level, version, enforce, audit, warn, labels);
    }

    public LevelVersion levelVersion() {
        return LevelVersion.parse(level, version);
    }

    /** One mode's own level; its version defaults to the section's version. */
    public record ModeLevel(@Nullable String level, @Nullable String version) {
        LevelVersion resolve(PodSecurityConfig parent) {
            return LevelVersion.parse(level == null ? parent.level() : level, version == null ? parent.version() : version);
        }
    }
}
