package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import org.jspecify.annotations.Nullable;

/** A podguard policy document, as loaded from YAML. Absent sections take their defaults. */
public record Policy(
        @Nullable String apiVersion,
        @Nullable String kind,
        @Nullable Mode mode,
        @Nullable PodSecurityConfig podSecurity,
        @Nullable DefaultsConfig defaults) {

    public Policy {
        mode = mode == null ? Mode.ENFORCE : mode;
        podSecurity = podSecurity == null ? PodSecurityConfig.DEFAULT : podSecurity;
        defaults = defaults == null ? DefaultsConfig.DEFAULT : defaults;
    }

    /** The level the short form gives to {@link #mode()}. */
    public LevelVersion levelVersion() {
        return podSecurity.levelVersion();
    }
}
