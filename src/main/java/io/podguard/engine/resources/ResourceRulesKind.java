package io.podguard.engine.resources;

import io.podguard.engine.Findings;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.RuleKind;
import io.podguard.engine.Wording;
import java.util.Set;

/** LimitRanger-style resource rules as a rule kind, in the mode the policy's {@code resources} section names. */
public final class ResourceRulesKind implements RuleKind<ResourceRules> {

    public static final String ID = "resources";
    public static final ResourceRulesKind INSTANCE = new ResourceRulesKind();

    private static final Wording WORDING = ResourceRulesEvaluator::message;

    private ResourceRulesKind() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> ruleIds() {
        return ResourceRulesEvaluator.IDS;
    }

    @Override
    public void evaluate(ResourceRules config, PodObject pod, RequestInfo request, Findings out) {
        if (!config.isEmpty()) {
            out.add(config.mode(), null, config.ruleIds(), ResourceRulesEvaluator.evaluate(pod, config), WORDING);
        }
    }
}
