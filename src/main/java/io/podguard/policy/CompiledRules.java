package io.podguard.policy;

import io.podguard.engine.Mode;
import io.podguard.engine.rules.CelRule;
import io.podguard.engine.rules.CelRules;
import io.podguard.engine.rules.RuleCompileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles the {@code rules} of a policy, once: the validator compiles them to report errors
 * with their paths, and the resolver of the same policy (top level and every namespace override)
 * reuses the compiled rules. A bounded cache, so reloads of changing policies cannot grow it.
 */
final class CompiledRules {

    private static final int MAX_ENTRIES = 2048;

    private static final Map<RuleConfig, CelRule> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RuleConfig, CelRule> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private CompiledRules() {
    }

    /** @throws RuleCompileException with every error of the rule, each naming its field */
    static CelRule compile(RuleConfig config) {
        synchronized (CACHE) {
            CelRule cached = CACHE.get(config);
            if (cached != null) {
                return cached;
            }
        }
        CelRule rule = CelRule.compile(config.id(), config.expression(),
                named(config.variables()), named(config.matchConditions()), config.message(), config.messageExpression());
        synchronized (CACHE) {
            CACHE.put(config, rule);
        }
        return rule;
    }

    /** Each rule with its mode: its own, else the policy's. */
    static CelRules of(List<RuleConfig> rules, Mode policyMode) {
        List<CelRules.Entry> out = new ArrayList<>(rules.size());
        for (RuleConfig r : rules) {
            out.add(new CelRules.Entry(compile(r), r.mode() != null ? r.mode() : policyMode));
        }
        return new CelRules(out);
    }

    private static List<CelRule.Named> named(List<RuleConfig.NamedExpression> list) {
        return list.stream().map(n -> new CelRule.Named(n.name(), n.expression())).toList();
    }
}
