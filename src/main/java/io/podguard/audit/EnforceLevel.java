package io.podguard.audit;

import io.podguard.engine.LevelVersion;
import io.podguard.policy.EffectivePolicy;
import org.jspecify.annotations.Nullable;

/**
 * The level a pod is judged at by the audit: what enforcement would apply. The policy's
 * enforce level when enforce is on; when it is off (a policy in audit or warn mode), the
 * strictest of the audit and warn levels, since that is what switching {@code mode} to
 * {@code enforce} turns on. Null when no mode is on: nothing would be denied.
 */
public final class EnforceLevel {

    private EnforceLevel() {
    }

    public static @Nullable LevelVersion of(EffectivePolicy policy) {
        if (policy.enforce() != null) {
            return policy.enforce();
        }
        return stricter(policy.audit(), policy.warn());
    }

    /** The higher level; at the same level, the newer version (newer versions only add rules). */
    static @Nullable LevelVersion stricter(@Nullable LevelVersion a, @Nullable LevelVersion b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int c = a.level().compareTo(b.level());
        if (c != 0) {
            return c > 0 ? a : b;
        }
        return a.version().compareTo(b.version()) >= 0 ? a : b;
    }
}
