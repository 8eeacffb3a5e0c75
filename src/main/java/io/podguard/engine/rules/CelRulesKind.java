package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import io.podguard.engine.Findings;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Violation;
import io.podguard.engine.Wording;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The policy's rules in CEL as a rule kind (docs/rules.md): each rule judges the pod (a
 * workload's template as a Pod) in its own mode, worded {@code violates rule "id": …}.
 */
public final class CelRulesKind implements RuleKind<CelRules> {

    public static final String ID = "rules";
    public static final CelRulesKind INSTANCE = new CelRulesKind();

    private static final Wording WORDING = new Wording() {
        @Override
        public String message(List<Violation> violations, boolean denied) {
            return String.join("; ", violations.stream().map(v -> denied ? RuleMessages.denial(v) : RuleMessages.warning(v)).toList());
        }
    };

    private CelRulesKind() {
    }

    @Override
    public String id() {
        return ID;
    }

    /** Rule ids come from the policy; the validator knows them from the document. */
    @Override
    public Set<String> ruleIds() {
        return Set.of();
    }

    @Override
    public void evaluate(CelRules config, PodObject pod, RequestInfo request, Findings out) {
        CelVariableResolver vars = null;
        CostBound.Size sizes = null;
        for (Mode mode : Mode.values()) {
            List<String> ids = new ArrayList<>(0);
            List<Violation> violations = new ArrayList<>(0);
            for (CelRules.Entry entry : config.rules()) {
                if (entry.mode() != mode) {
                    continue;
                }
                if (vars == null) {
                    RuleInput input = RuleInput.of(pod, request);
                    CelProjection reads = config.reads().asSent(pod.podPointer());
                    vars = input.variables(reads);
                    sizes = input.sizes(reads);
                }
                ids.add(entry.rule().id());
                Violation v = entry.rule().evaluate(vars, sizes);
                if (v != null) {
                    // a rule judges the whole pod: its path is the pod's spec within the object
                    violations.add(pod.isPod() ? v : new Violation(v.rule(), pod.pathPrefix() + v.path(), v.reason(), v.detail()));
                }
            }
            if (!ids.isEmpty()) {
                out.add(mode, null, ids, violations, WORDING);
            }
        }
    }
}
