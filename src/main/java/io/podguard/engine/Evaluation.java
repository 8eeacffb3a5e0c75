package io.podguard.engine;

import io.podguard.policy.CheckExemption;
import java.util.List;

/**
 * The violations of one pod under each mode's level; empty lists when allowed or the mode is off.
 *
 * @param exemptionsApplied the per-check and per-image exemptions that removed or changed a violation
 */
public record Evaluation(List<Violation> enforce, List<Violation> audit, List<Violation> warn,
                         List<CheckExemption> exemptionsApplied) {

    public static final Evaluation NONE = new Evaluation(List.of(), List.of(), List.of());

    public Evaluation {
        exemptionsApplied = List.copyOf(exemptionsApplied);
    }

    public Evaluation(List<Violation> enforce, List<Violation> audit, List<Violation> warn) {
        this(enforce, audit, warn, List.of());
    }
}
