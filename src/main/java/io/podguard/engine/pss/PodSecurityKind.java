package io.podguard.engine.pss;

import io.podguard.engine.Findings;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Violation;
import io.podguard.engine.Wording;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Pod Security Standards as a rule kind: at each mode's level, the checks of {@link
 * PodSecurityChecks}, worded as PSA words them. A level shared by two modes is judged once.
 */
public final class PodSecurityKind implements RuleKind<PodSecurityLevels> {

    public static final String ID = "podSecurity";
    /** The audit annotation PSA records on every pod judged by a policy that checks something: the enforce level. */
    public static final String ENFORCE_POLICY = "enforce-policy";
    /** The audit annotation PSA records on a pod judged in a namespace whose Pod Security labels could not be read. */
    public static final String POLICY_ERROR = "error";
    private static final String PRIVILEGED_LATEST = "privileged:latest";

    public static final PodSecurityKind INSTANCE = new PodSecurityKind(new PodSecurityEvaluator(PodSecurityChecks.registry()));

    private final PodSecurityEvaluator evaluator;
    private final Set<String> ids;

    private PodSecurityKind(PodSecurityEvaluator evaluator) {
        this.evaluator = evaluator;
        Set<String> all = new TreeSet<>();
        evaluator.registry().checks().forEach(c -> all.add(c.id()));
        this.ids = Set.copyOf(all);
    }

    public PodSecurityEvaluator evaluator() {
        return evaluator;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> ruleIds() {
        return ids;
    }

    @Override
    public void evaluate(PodSecurityLevels config, PodObject pod, RequestInfo request, Findings out) {
        // Single-threaded, at most three entries: a plain map.
        Map<LevelVersion, List<Violation>> memo = new HashMap<>(4);
        // Two levels (baseline and restricted, say): what their checks share runs once.
        CheckResult[] results = twoLevels(config) ? evaluator.memo() : null;
        boolean checksSomething = false;
        for (Mode mode : Mode.values()) {
            LevelVersion lv = config.level(mode);
            if (lv == null || lv.level() == Level.PRIVILEGED) {
                continue;
            }
            checksSomething = true;
            List<Violation> violations = memo.get(lv);
            if (violations == null) {
                violations = evaluator.evaluate(lv, pod, results);
                memo.put(lv, violations);
            }
            out.add(mode, lv, evaluator.registry().ids(lv), violations, wording(lv));
        }
        // As PSA: every pod is recorded with its enforce level (privileged:latest when no mode
        // checks anything, as PSA's shortcut for such namespaces says), and labels that could not
        // be read with PSA's words for them.
        boolean labelErrors = !config.labelErrors().isEmpty();
        if (labelErrors) {
            out.annotate(POLICY_ERROR, "Failed to parse policy: " + aggregate(config.labelErrors()));
        }
        if (config.enforce() != null && pod.isPod()) {
            out.annotate(ENFORCE_POLICY, checksSomething || labelErrors ? config.enforce().toString() : PRIVILEGED_LATEST);
        }
    }

    /** Whether the modes of {@code config} judge at two or more levels (or versions). */
    private static boolean twoLevels(PodSecurityLevels config) {
        LevelVersion first = null;
        for (Mode mode : Mode.values()) {
            LevelVersion lv = config.level(mode);
            if (lv == null || lv.level() == Level.PRIVILEGED) {
                continue;
            }
            if (first == null) {
                first = lv;
            } else if (!first.equals(lv)) {
                return true;
            }
        }
        return false;
    }

    /** Several errors as Kubernetes' error aggregate prints them: one alone, more in brackets. */
    private static String aggregate(List<String> errors) {
        return errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]";
    }

    /** PSA's sentences at {@code lv}. */
    public static Wording wording(LevelVersion lv) {
        return new PsaWording(lv);
    }

    /** PSA's sentences at one level: a value, so equal judgements compare equal. */
    private record PsaWording(LevelVersion lv) implements Wording {
        @Override
        public String message(List<Violation> violations, boolean denied) {
            return denied ? PodSecurityEvaluator.denialMessage(lv, violations) : PodSecurityEvaluator.warningMessage(lv, violations);
        }
    }
}
