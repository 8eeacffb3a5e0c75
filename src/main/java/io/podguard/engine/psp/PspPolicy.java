package io.podguard.engine.psp;

import io.podguard.policy.Mode;

/**
 * The PodSecurityPolicies in force for a request and what a refusal does: enforce denies
 * (and /mutate applies the chosen policy's defaults), audit records, warn tells the client.
 */
public record PspPolicy(PspSet policies, Mode mode) {
}
