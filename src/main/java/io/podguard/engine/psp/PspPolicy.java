package io.podguard.engine.psp;

import io.podguard.engine.Mode;
import io.podguard.engine.RuleSet;
import io.podguard.engine.RuleKind;
import java.util.Set;

/**
 * The PodSecurityPolicies in force for a request and what a refusal does: enforce denies
 * (and the mutating webhook applies the chosen policy's defaults), audit records, warn tells the client.
 */
public record PspPolicy(PspSet policies, Mode mode) implements RuleSet {

    @Override
    public RuleKind<?> kind() {
        return PspKind.INSTANCE;
    }

    @Override
    public Set<Mode> modes() {
        return Set.of(mode);
    }

    @Override
    public PspPolicy withMode(Mode other) {
        return new PspPolicy(policies, other);
    }
}
