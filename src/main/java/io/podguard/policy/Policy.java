package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.psp.PspSet;
import org.jspecify.annotations.Nullable;

/**
 * A podguard policy document, as loaded from YAML. Absent sections take their defaults.
 *
 * <p>{@code podSecurityPolicies}: PodSecurityPolicy objects judged with PSP's own semantics
 * (see docs/psp.md). A policy that carries them leaves {@code podSecurity} and {@code defaults}
 * off unless it names them: the PSPs are the policy.
 */
public record Policy(
        @Nullable String apiVersion,
        @Nullable String kind,
        @Nullable Mode mode,
        @Nullable PodSecurityConfig podSecurity,
        @Nullable DefaultsConfig defaults,
        @Nullable PspSet podSecurityPolicies) {

    /** Pod Security Standards off: the privileged level runs no check. */
    static final PodSecurityConfig PSS_OFF = new PodSecurityConfig("privileged", "latest", null, null, null);
    static final DefaultsConfig DEFAULTS_OFF = new DefaultsConfig(false, DefaultsConfig.DefaultsMode.APPLY);

    public Policy {
        mode = mode == null ? Mode.ENFORCE : mode;
        podSecurity = podSecurity == null ? (podSecurityPolicies == null ? PodSecurityConfig.DEFAULT : PSS_OFF) : podSecurity;
        defaults = defaults == null ? (podSecurityPolicies == null ? DefaultsConfig.DEFAULT : DEFAULTS_OFF) : defaults;
    }

    public Policy(@Nullable String apiVersion, @Nullable String kind, @Nullable Mode mode,
                  @Nullable PodSecurityConfig podSecurity, @Nullable DefaultsConfig defaults) {
        this(apiVersion, kind, mode, podSecurity, defaults, null);
    }

    /** The level the short form gives to {@link #mode()}. */
    public LevelVersion levelVersion() {
        return podSecurity.levelVersion();
    }
}
