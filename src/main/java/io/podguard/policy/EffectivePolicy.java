package io.podguard.policy;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.psp.PspPolicy;
import org.jspecify.annotations.Nullable;

/**
 * The policy in force for one request, after namespace overrides and exemptions: for each mode
 * the level it judges at (null: that mode is off), the defaults to apply, and the
 * PodSecurityPolicies in force (null: none).
 */
public record EffectivePolicy(
        @Nullable LevelVersion enforce,
        @Nullable LevelVersion audit,
        @Nullable LevelVersion warn,
        DefaultsConfig defaults,
        @Nullable PspPolicy psp) {

    public EffectivePolicy(@Nullable LevelVersion enforce, @Nullable LevelVersion audit, @Nullable LevelVersion warn,
                           DefaultsConfig defaults) {
        this(enforce, audit, warn, defaults, null);
    }

    /** The short form gives {@code mode} its level; a mode named in {@code podSecurity} adds or replaces its own. */
    public static EffectivePolicy of(Policy policy) {
        PodSecurityConfig ps = policy.podSecurity();
        LevelVersion lv = ps.levelVersion();
        LevelVersion enforce = policy.mode() == Mode.ENFORCE ? lv : null;
        LevelVersion audit = policy.mode() == Mode.AUDIT ? lv : null;
        LevelVersion warn = policy.mode() == Mode.WARN ? lv : null;
        if (ps.enforce() != null) {
            enforce = ps.enforce().resolve(ps);
        }
        if (ps.audit() != null) {
            audit = ps.audit().resolve(ps);
        }
        if (ps.warn() != null) {
            warn = ps.warn().resolve(ps);
        }
        PspPolicy psp = policy.podSecurityPolicies() == null ? null : new PspPolicy(policy.podSecurityPolicies(), policy.mode());
        return new EffectivePolicy(enforce, audit, warn, policy.defaults(), psp);
    }
}
