package io.podguard.audit;

import io.podguard.engine.Evaluation;
import io.podguard.engine.KindVerdict;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.Violation;
import io.podguard.engine.defaults.AppliedDefault;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One existing pod as the audit judged it: by the policy with enforcement switched on, as the
 * webhook would judge it on create. Only strings are kept, never the pod or the engine's
 * {@link Evaluation}: an audit of 100,000 pods holds each for as long as its namespace is being
 * listed, and the pods enforcement would deny for the rest of the run.
 *
 * @param owner its controller, {@code ReplicaSet/web-5d8f7}, or null for a bare pod
 * @param defaults the defaults assumed set before it was judged (none for running pods judged as they are)
 * @param judged whether any rule judged it at all (not when an exemption covers the whole pod, or nothing enforces)
 * @param level the Pod Security Standards level it was judged at ({@code baseline:latest}), or null when none applies
 * @param message the webhook's denial ({@code violates PodSecurity "restricted:latest": …}); empty when admitted
 * @param findings what enforcement would deny it for, rule kind after rule kind; empty when it would be admitted
 * @param exemptions the reasons of the exemptions that made a difference, each once
 */
public record PodResult(String namespace, String name, @Nullable String uid, @Nullable String owner, List<AppliedDefault> defaults,
                        boolean judged, @Nullable String level, String message, List<Finding> findings, List<String> exemptions) {

    /**
     * One violation enforcement would deny the pod for.
     *
     * @param kind the rule kind's id ({@code podSecurity}, {@code resources} …)
     * @param level the kind's level as judged ({@code baseline:latest}), null for kinds without levels
     * @param path the field path, empty when the violation has none
     * @param message {@code reason (detail)}, as in the webhook's sentence
     */
    public record Finding(String rule, String kind, @Nullable String level, String path, String message) {
    }

    public PodResult {
        defaults = List.copyOf(defaults);
        findings = List.copyOf(findings);
        exemptions = List.copyOf(exemptions);
    }

    /** What the audit keeps of the engine's judgement of one pod. */
    public static PodResult of(String namespace, String name, @Nullable String uid, @Nullable String owner,
                               List<AppliedDefault> defaults, Evaluation evaluation) {
        List<Finding> findings = new ArrayList<>(0);
        List<KindVerdict> verdicts = evaluation.verdicts(Mode.ENFORCE);
        for (KindVerdict verdict : verdicts) {
            String level = verdict.level() == null ? null : verdict.level().toString();
            for (Violation v : verdict.violations()) {
                findings.add(new Finding(v.rule(), verdict.kind(), level, v.path(), v.message()));
            }
        }
        LevelVersion level = evaluation.level(Mode.ENFORCE);
        List<String> exemptions = evaluation.exemptionsApplied().stream().map(MatchedExemption::reason).distinct().toList();
        return new PodResult(namespace, name, uid, owner, defaults, !verdicts.isEmpty(), level == null ? null : level.toString(),
                findings.isEmpty() ? "" : evaluation.message(Mode.ENFORCE, true), findings, exemptions);
    }

    public boolean wouldBeDenied() {
        return !findings.isEmpty();
    }
}
