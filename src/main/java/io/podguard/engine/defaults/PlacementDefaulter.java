package io.podguard.engine.defaults;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Mode;
import io.podguard.engine.placement.PlacementPolicy;
import org.jspecify.annotations.Nullable;

/**
 * A placement default: on when the policy's {@code placement} section turns its part on, whatever
 * {@code defaults.enabled} says; applied in enforce mode, only said in audit and warn mode; never
 * skipped by a pod's {@code podguard.io/skip-defaults}; off for the requests an exemption naming
 * its id matches ({@link PlacementPolicy#defaulting}).
 */
abstract class PlacementDefaulter implements Defaulter {

    /** The mode of this defaulter's part of {@code placement}; null when off. */
    abstract @Nullable Mode mode(PlacementPolicy placement);

    @Override
    public final boolean isEnabled(DefaultsConfig config) {
        return true; // not the defaults section's to say
    }

    @Override
    public final Run run(EffectivePolicy policy) {
        Mode mode = mode(PlacementPolicy.defaulting(policy));
        if (mode == null) {
            return Run.OFF;
        }
        return mode == Mode.ENFORCE ? Run.APPLY : Run.DRY_RUN;
    }

    @Override
    public final boolean optional() {
        return false;
    }
}
