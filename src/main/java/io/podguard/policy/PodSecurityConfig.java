package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import org.jspecify.annotations.Nullable;

/**
 * The {@code podSecurity} section: the Pod Security Standards level and version to judge
 * against. The short form ({@code level}, {@code version}) applies to the policy's {@code mode};
 * {@code enforce}, {@code audit} and {@code warn} may each name their own level, PSA-style
 * (enforce baseline while warning on restricted).
 */
public record PodSecurityConfig(
        @Nullable String level,
        @Nullable String version,
        @Nullable ModeLevel enforce,
        @Nullable ModeLevel audit,
        @Nullable ModeLevel warn) {

    public static final PodSecurityConfig DEFAULT = new PodSecurityConfig("restricted", "latest", null, null, null);

    public PodSecurityConfig {
        level = level == null ? "restricted" : level;
        version = version == null ? "latest" : version;
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
