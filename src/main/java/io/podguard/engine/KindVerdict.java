package io.podguard.engine;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one rule kind found in one mode.
 *
 * @param kind the rule kind's id ({@code podSecurity}, {@code resources}, {@code psp})
 * @param mode where its violations go: enforce denies, audit records, warn warns
 * @param level the Pod Security Standards level and version judged at; null for kinds without levels
 * @param rules every rule it ran, in order: passed or not
 * @param violations the rules broken, in the kind's order; empty when the pod passes
 * @param wording how the kind words them
 */
public record KindVerdict(String kind, Mode mode, @Nullable LevelVersion level, List<String> rules,
                          List<Violation> violations, Wording wording) {

    /** The metric label of a rule without a level. */
    public static final String NO_LEVEL = "none";

    public KindVerdict {
        rules = List.copyOf(rules);
        violations = List.copyOf(violations);
    }

    public boolean passed() {
        return violations.isEmpty();
    }

    /** {@code baseline} or {@code restricted} for the Pod Security Standards; {@value #NO_LEVEL} for the others. */
    public String levelLabel() {
        return level == null ? NO_LEVEL : level.level().id();
    }

    public String message(boolean denied) {
        return wording.message(violations, denied);
    }

    public KindVerdict withViolations(List<Violation> kept) {
        return new KindVerdict(kind, mode, level, rules, kept, wording);
    }
}
