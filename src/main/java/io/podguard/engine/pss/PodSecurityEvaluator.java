package io.podguard.engine.pss;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Judges a pod against a Pod Security Standards level and version. Stateless, thread-safe. */
public final class PodSecurityEvaluator {

    private final CheckRegistry registry;

    public PodSecurityEvaluator(CheckRegistry registry) {
        this.registry = registry;
    }

    public CheckRegistry registry() {
        return registry;
    }

    /** The violations of {@code pod} at {@code lv}, in PSA's order; empty when allowed. */
    public List<Violation> evaluate(LevelVersion lv, PodObject pod) {
        return evaluate(lv, pod, null);
    }

    /** A memo for {@link #evaluate(LevelVersion, PodObject, CheckResult[])}: one per pod. */
    public CheckResult[] memo() {
        return new CheckResult[registry.slots()];
    }

    /**
     * As {@link #evaluate(LevelVersion, PodObject)}, each check version run at most once per
     * {@code memo} (from {@link #memo()}, for this one pod): baseline's checks are most of
     * restricted's, and a review often judges both levels (the embedded default: enforce baseline,
     * audit and warn restricted).
     */
    public List<Violation> evaluate(LevelVersion lv, PodObject pod, CheckResult @Nullable [] memo) {
        List<Violation> violations = null;
        for (CheckRegistry.Entry entry : registry.plan(lv)) {
            CheckResult result = memo == null ? null : memo[entry.slot()];
            if (result == null) {
                result = entry.version().check().check(pod.podMeta(), pod.podSpec());
                if (memo != null) {
                    memo[entry.slot()] = result;
                }
            }
            if (!result.allowed()) {
                if (violations == null) {
                    violations = new ArrayList<>(2);
                }
                String path = result.paths().isEmpty() ? "" : pod.pathPrefix() + result.paths().getFirst();
                violations.add(new Violation(entry.check().id(), path, result.reason(), result.detail()));
            }
        }
        return violations == null ? List.of() : violations;
    }

    /** PSA's message: {@code violates PodSecurity "restricted:latest": reason (detail), …}. */
    public static String denialMessage(LevelVersion lv, List<Violation> violations) {
        return "violates PodSecurity \"" + lv + "\": " + join(violations);
    }

    /** PSA's warning: {@code would violate PodSecurity "restricted:latest": …}. */
    public static String warningMessage(LevelVersion lv, List<Violation> violations) {
        return "would violate PodSecurity \"" + lv + "\": " + join(violations);
    }

    static String join(List<Violation> violations) {
        StringBuilder sb = new StringBuilder();
        for (Violation v : violations) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(v.message());
        }
        return sb.toString();
    }
}
