package io.podguard.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The judgement of one pod by every rule kind of the policy in force, exemptions applied.
 *
 * @param verdicts per rule kind and mode, in the order of {@link RuleKinds} then enforce, audit, warn
 * @param exemptionsApplied the exemptions that made a difference: those of the whole request,
 *     and the per-rule and per-image ones that removed or changed a violation
 * @param annotations audit annotations the rule kinds record ({@code enforce-policy} …)
 */
public record Evaluation(List<KindVerdict> verdicts, List<MatchedExemption> exemptionsApplied, Map<String, String> annotations) {

    public static final Evaluation NONE = new Evaluation(List.of(), List.of(), Map.of());

    public Evaluation {
        verdicts = List.copyOf(verdicts);
        exemptionsApplied = List.copyOf(exemptionsApplied);
        annotations = Map.copyOf(annotations);
    }

    /** The verdicts in {@code mode}, passed or not. */
    public List<KindVerdict> verdicts(Mode mode) {
        List<KindVerdict> out = new ArrayList<>(2);
        for (KindVerdict v : verdicts) {
            if (v.mode() == mode) {
                out.add(v);
            }
        }
        return out;
    }

    /** Every violation in {@code mode}, rule kind after rule kind. */
    public List<Violation> violations(Mode mode) {
        List<Violation> out = null;
        for (KindVerdict v : verdicts) {
            if (v.mode() == mode && !v.passed()) {
                if (out == null) {
                    out = new ArrayList<>(v.violations());
                } else {
                    out.addAll(v.violations());
                }
            }
        }
        return out == null ? List.of() : out;
    }

    public List<Violation> enforce() {
        return violations(Mode.ENFORCE);
    }

    public List<Violation> audit() {
        return violations(Mode.AUDIT);
    }

    public List<Violation> warn() {
        return violations(Mode.WARN);
    }

    /** Whether anything was found in any mode. */
    public boolean clean() {
        return verdicts.stream().allMatch(KindVerdict::passed);
    }

    /**
     * What {@code mode} found, one sentence per rule kind joined by {@code "; "}:
     * {@code violates PodSecurity "restricted:latest": …; violates resource rules: …} when
     * {@code denied}, {@code would violate …} otherwise. Empty when nothing was found.
     */
    public String message(Mode mode, boolean denied) {
        String first = null;
        StringBuilder sb = null;
        for (KindVerdict v : verdicts) {
            if (v.mode() == mode && !v.passed()) {
                if (first == null) {
                    // One kind found something (nearly always): its own message, rendered once, shared.
                    first = v.message(denied);
                } else {
                    if (sb == null) {
                        sb = new StringBuilder(first);
                    }
                    sb.append("; ").append(v.message(denied));
                }
            }
        }
        return sb != null ? sb.toString() : first != null ? first : "";
    }

    /** The HTTP status of the denial {@link #message(Mode, boolean)} words: the first denying kind's (403 for most). */
    public int denialCode() {
        for (KindVerdict v : verdicts) {
            if (v.mode() == Mode.ENFORCE && !v.passed()) {
                return v.wording().denialCode(v.violations());
            }
        }
        return 403;
    }

    /** The Pod Security Standards level {@code mode} judged at, or null when it judged none. */
    public @Nullable LevelVersion level(Mode mode) {
        for (KindVerdict v : verdicts) {
            if (v.mode() == mode && v.level() != null) {
                return v.level();
            }
        }
        return null;
    }
}
