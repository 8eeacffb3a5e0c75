package io.podguard.audit;

import io.podguard.engine.Evaluation;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.Violation;
import io.podguard.engine.defaults.AppliedDefault;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One existing pod as the audit judged it: by the policy with enforcement switched on, as the
 * webhook would judge it on create.
 *
 * @param owner its controller, {@code ReplicaSet/web-5d8f7}, or null for a bare pod
 * @param defaults the defaults assumed set before it was judged (none for running pods judged as they are)
 * @param evaluation the engine's judgement
 */
public record PodResult(String namespace, String name, @Nullable String uid, @Nullable String owner,
                        List<AppliedDefault> defaults, Evaluation evaluation) {

    public PodResult {
        defaults = List.copyOf(defaults);
    }

    public boolean wouldBeDenied() {
        return !evaluation.enforce().isEmpty();
    }

    /** What enforcement would deny it for; empty when it would be admitted. */
    public List<Violation> violations() {
        return evaluation.enforce();
    }

    /** The Pod Security Standards level it was judged at, or null when none applies to it. */
    public @Nullable LevelVersion level() {
        return evaluation.level(Mode.ENFORCE);
    }

    /** Whether any rule judged it at all (not when an exemption covers the whole pod, or nothing enforces). */
    public boolean judged() {
        return !evaluation.verdicts(Mode.ENFORCE).isEmpty();
    }

    /** The webhook's denial: {@code violates PodSecurity "restricted:latest": …}; empty when admitted. */
    public String message() {
        return evaluation.message(Mode.ENFORCE, true);
    }

    /** The reasons of the exemptions that made a difference, each once. */
    public List<String> exemptions() {
        return evaluation.exemptionsApplied().stream().map(MatchedExemption::reason).distinct().toList();
    }
}
