package io.podguard.engine.psp;

import io.fabric8.kubernetes.api.model.policy.v1beta1.IDRange;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * PSP's {@code runAsUser} strategies: MustRunAs (default to the first range's min; the
 * effective UID must be set and in range), MustRunAsNonRoot (runAsNonRoot must be true or the
 * UID non-zero), RunAsAny.
 */
final class UserStrategy {

    enum Rule { MUST_RUN_AS, MUST_RUN_AS_NON_ROOT, RUN_AS_ANY }

    private final Rule rule;
    private final List<IDRange> ranges;

    UserStrategy(Rule rule, List<IDRange> ranges) {
        this.rule = rule;
        this.ranges = List.copyOf(ranges);
    }

    Rule rule() {
        return rule;
    }

    List<IDRange> ranges() {
        return ranges;
    }

    @Nullable Long generate() {
        return rule == Rule.MUST_RUN_AS ? ranges.getFirst().getMin() : null;
    }

    /** Judges the container's effective (container, else pod) runAsNonRoot and runAsUser. */
    void validate(String scPath, @Nullable Boolean runAsNonRoot, @Nullable Long runAsUser, List<FieldError> errors) {
        switch (rule) {
            case MUST_RUN_AS -> {
                if (runAsUser == null) {
                    errors.add(FieldError.required(PspRules.RUN_AS_USER, scPath + ".runAsUser", ""));
                } else if (!GroupStrategy.inRanges(runAsUser, ranges)) {
                    errors.add(FieldError.invalid(PspRules.RUN_AS_USER, scPath + ".runAsUser", String.valueOf(runAsUser),
                            "must be in the ranges: " + GoFormat.ranges(ranges)));
                }
            }
            case MUST_RUN_AS_NON_ROOT -> {
                if (runAsNonRoot == null && runAsUser == null) {
                    errors.add(FieldError.required(PspRules.RUN_AS_USER, scPath + ".runAsNonRoot", "must be true"));
                } else if (Boolean.FALSE.equals(runAsNonRoot)) {
                    errors.add(FieldError.invalid(PspRules.RUN_AS_USER, scPath + ".runAsNonRoot", "false", "must be true"));
                } else if (runAsUser != null && runAsUser == 0) {
                    errors.add(FieldError.invalid(PspRules.RUN_AS_USER, scPath + ".runAsUser", "0",
                            "running with the root UID is forbidden"));
                }
            }
            case RUN_AS_ANY -> {
            }
        }
    }
}
