package io.podguard.engine.rules;

import io.podguard.engine.Mode;
import io.podguard.engine.RuleKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The policy's own CEL rules in force for a request, each in its mode.
 *
 * @param reads what the rules read of the pod ({@link CelReads})
 */
public record CelRules(List<Entry> rules, CelProjection reads) implements CelReading {

    /** A compiled rule and the mode it judges in. */
    public record Entry(CelRule rule, Mode mode) {
    }

    public CelRules {
        rules = List.copyOf(rules);
    }

    public CelRules(List<Entry> rules) {
        this(rules, reads(rules));
    }

    private static CelProjection reads(List<Entry> rules) {
        CelProjection reads = CelProjection.SHAPE;
        for (Entry e : rules) {
            reads = reads.union(e.rule().reads());
        }
        return reads;
    }

    @Override
    public RuleKind<?> kind() {
        return CelRulesKind.INSTANCE;
    }

    @Override
    public Set<Mode> modes() {
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        rules.forEach(r -> modes.add(r.mode()));
        return modes;
    }

    /** Every rule in {@code mode}, as a namespace's {@code podguard.io/mode} label asks. */
    @Override
    public CelRules withMode(Mode mode) {
        return new CelRules(rules.stream().map(r -> new Entry(r.rule(), mode)).toList(), reads);
    }
}
