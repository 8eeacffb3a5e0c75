package io.podguard.engine.psp;

import io.fabric8.kubernetes.api.model.policy.v1beta1.IDRange;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * PSP's group strategies, shared by {@code fsGroup}, {@code supplementalGroups} and
 * {@code runAsGroup}: MustRunAs (default to the first range's min; groups required and in
 * range), MayRunAs (no default; groups, if any, in range), RunAsAny.
 */
final class GroupStrategy {

    enum Rule { MUST_RUN_AS, MAY_RUN_AS, RUN_AS_ANY }

    static final GroupStrategy RUN_AS_ANY = new GroupStrategy(Rule.RUN_AS_ANY, List.of(), "");

    private final Rule rule;
    private final List<IDRange> ranges;
    private final String ruleId;

    GroupStrategy(Rule rule, List<IDRange> ranges, String ruleId) {
        this.rule = rule;
        this.ranges = List.copyOf(ranges);
        this.ruleId = ruleId;
    }

    Rule rule() {
        return rule;
    }

    List<IDRange> ranges() {
        return ranges;
    }

    /** The groups to set when none are: MustRunAs gives the first range's min. */
    @Nullable List<Long> generate() {
        return rule == Rule.MUST_RUN_AS ? List.of(ranges.getFirst().getMin()) : null;
    }

    @Nullable Long generateSingle() {
        return rule == Rule.MUST_RUN_AS ? ranges.getFirst().getMin() : null;
    }

    /** @param groups the groups set, null when the field is absent */
    void validate(String path, @Nullable List<Long> groups, List<FieldError> errors) {
        if (rule == Rule.RUN_AS_ANY) {
            return;
        }
        if (rule == Rule.MUST_RUN_AS && (groups == null || groups.isEmpty())) {
            errors.add(FieldError.invalid(ruleId, path, GoFormat.int64s(groups),
                    "unable to validate empty groups against required ranges"));
        }
        if (groups == null) {
            return;
        }
        for (long group : groups) {
            if (!inRanges(group, ranges)) {
                errors.add(FieldError.invalid(ruleId, path, GoFormat.int64s(groups),
                        "group " + group + " must be in the ranges: " + GoFormat.ranges(ranges)));
            }
        }
    }

    static boolean inRanges(long id, List<IDRange> ranges) {
        for (IDRange r : ranges) {
            if (id >= r.getMin() && id <= r.getMax()) {
                return true;
            }
        }
        return false;
    }
}
