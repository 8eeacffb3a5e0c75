package io.podguard.policy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import java.time.Clock;

/** Resolves the policy in force for one request: configuration, namespace overrides, exemptions. */
@FunctionalInterface
public interface PolicyResolver {

    EffectivePolicy resolve(RequestInfo request, PodObject pod);

    /** One policy for every request, with its namespace overrides (by name only) and exemptions. */
    static PolicyResolver fixed(Policy policy) {
        return new ConfiguredPolicyResolver(policy, NamespaceLabels.NONE, Clock.systemUTC(), ExpiryListener.NONE);
    }

    /** Told once, per loaded policy, of each exemption found expired. */
    @FunctionalInterface
    interface ExpiryListener {
        ExpiryListener NONE = (index, exemption) -> {
        };

        void expired(int index, Exemption exemption);
    }
}
