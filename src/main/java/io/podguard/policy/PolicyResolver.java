package io.podguard.policy;

import io.podguard.engine.PodObject;

/** Resolves the policy in force for one request: configuration, namespace overrides, exemptions. */
@FunctionalInterface
public interface PolicyResolver {

    EffectivePolicy resolve(RequestInfo request, PodObject pod);

    /** One policy for every request. */
    static PolicyResolver fixed(Policy policy) {
        EffectivePolicy effective = EffectivePolicy.of(policy);
        return (request, pod) -> effective;
    }
}
