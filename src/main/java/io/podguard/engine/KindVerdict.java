package io.podguard.engine;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one rule kind found in one mode. Its message, in either wording, is rendered once and
 * shared by whatever says it: the answer, the audit annotation, the log line, the Event, the
 * report.
 *
 * <p>A class with a record's accessors, equality and text, not a record: a record cannot keep
 * the rendered messages.
 *
 * @param kind the rule kind's id ({@code podSecurity}, {@code resources}, {@code psp})
 * @param mode where its violations go: enforce denies, audit records, warn warns
 * @param level the Pod Security Standards level and version judged at; null for kinds without levels
 * @param rules every rule it ran, in order: passed or not
 * @param violations the rules broken, in the kind's order; empty when the pod passes
 * @param wording how the kind words them
 */
public final class KindVerdict {

    /** The metric label of a rule without a level. */
    public static final String NO_LEVEL = "none";

    private final String kind;
    private final Mode mode;
    private final @Nullable LevelVersion level;
    private final List<String> rules;
    private final List<Violation> violations;
    private final Wording wording;
    /** {@link #message(boolean)}, rendered on first use (a race renders it twice, the same). */
    private @Nullable String denial;
    private @Nullable String notice;

    public KindVerdict(String kind, Mode mode, @Nullable LevelVersion level, List<String> rules,
                       List<Violation> violations, Wording wording) {
        this.kind = kind;
        this.mode = mode;
        this.level = level;
        this.rules = List.copyOf(rules);
        this.violations = List.copyOf(violations);
        this.wording = wording;
    }

    public String kind() {
        return kind;
    }

    public Mode mode() {
        return mode;
    }

    public @Nullable LevelVersion level() {
        return level;
    }

    public List<String> rules() {
        return rules;
    }

    public List<Violation> violations() {
        return violations;
    }

    public Wording wording() {
        return wording;
    }

    public boolean passed() {
        return violations.isEmpty();
    }

    /** {@code baseline} or {@code restricted} for the Pod Security Standards; {@value #NO_LEVEL} for the others. */
    public String levelLabel() {
        return level == null ? NO_LEVEL : level.level().id();
    }

    /** The kind's sentence: {@code violates …} when {@code denied}, {@code would violate …} otherwise. */
    public String message(boolean denied) {
        String message = denied ? denial : notice;
        if (message == null) {
            message = wording.message(violations, denied);
            if (denied) {
                denial = message;
            } else {
                notice = message;
            }
        }
        return message;
    }

    public KindVerdict withViolations(List<Violation> kept) {
        return new KindVerdict(kind, mode, level, rules, kept, wording);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KindVerdict v && kind.equals(v.kind) && mode == v.mode && Objects.equals(level, v.level)
                && rules.equals(v.rules) && violations.equals(v.violations) && wording.equals(v.wording);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, mode, level, rules, violations, wording);
    }

    @Override
    public String toString() {
        return "KindVerdict[kind=" + kind + ", mode=" + mode + ", level=" + level + ", rules=" + rules + ", violations=" + violations
                + ", wording=" + wording + "]";
    }
}
