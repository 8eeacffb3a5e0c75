package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code variables} of one evaluation, as the apiserver's composition evaluates them: each
 * on first use and once only, in the order of declaration available to later ones, its cost
 * added to the evaluation's budget. A variable that fails fails the expression that reads it,
 * with {@code composited variable "NAME" fails to evaluate: …}, and keeps failing without being
 * evaluated again. One instance per batch of expressions (the apiserver's composition context):
 * the validations, the message expressions and the audit annotations each evaluate the
 * variables they read afresh, and pay for them.
 */
final class LazyVariables extends CelMapView {

    /** A variable's failure, carried out of cel-java's evaluation. */
    static final class VariableFailed extends RuntimeException {
        private final boolean outOfBudget;

        VariableFailed(String message, boolean outOfBudget) {
            super(message, null, false, false);
            this.outOfBudget = outOfBudget;
        }

        boolean outOfBudget() {
            return outOfBudget;
        }
    }

    /** A declared variable; its name interned, as the names expressions read are ({@link DirectProgram}). */
    record Variable(String name, CompiledExpression expression) {
        Variable {
            name = name.intern();
        }
    }

    private final List<Variable> declared;
    private final CelVariableResolver base;
    /** By position in {@code declared}: a variable's value once evaluated, or its failure. */
    private final Object[] values;
    private final VariableFailed[] failures;
    private long cost;
    private final boolean tracked;

    LazyVariables(List<Variable> declared, CelVariableResolver base) {
        this(declared, base, true);
    }

    /** {@code tracked} false: evaluated without the cost tracker, as {@link ExpressionBatch#run} says. */
    LazyVariables(List<Variable> declared, CelVariableResolver base, boolean tracked) {
        this.tracked = tracked;
        this.declared = declared;
        this.values = new Object[declared.size()];
        this.failures = new VariableFailed[declared.size()];
        this.base = base;
    }

    /** The cost of the variables evaluated since the last call. */
    long takeCost() {
        long c = cost;
        cost = 0;
        return c;
    }

    /** The resolver of an expression: the base variables and {@code variables}. */
    CelVariableResolver resolver() {
        return name -> name.equals("variables") ? java.util.Optional.of(this) : base.find(name);
    }

    @Override
    public Object get(Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        int i = indexOf(name);
        if (i < 0) {
            return null;
        }
        Object cached = values[i];
        if (cached != null) {
            return cached;
        }
        VariableFailed failed = failures[i];
        if (failed != null) {
            // as the apiserver's lazy map: a failure is kept, evaluated (and paid for) once
            throw failed;
        }
        Variable v = declared.get(i);
        KubernetesCel.Outcome outcome = KubernetesCel.get().evaluate(v.expression(), resolver(), KubernetesCel.PER_CALL_LIMIT, tracked);
        cost += outcome.cost();
        if (outcome.failed()) {
            VariableFailed f = new VariableFailed("composited variable \"" + name + "\" fails to evaluate: " + outcome.error(),
                    outcome.outOfBudget());
            failures[i] = f;
            throw f;
        }
        values[i] = outcome.value();
        return outcome.value();
    }

    /**
     * The position of the variable {@code name} (of two of one name, the later), or -1: a search
     * of the few a policy declares, where a map of them would be made for every evaluation.
     */
    private int indexOf(String name) {
        for (int i = declared.size() - 1; i >= 0; i--) {
            if (declared.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The number of names declared. */
    @Override
    public int size() {
        return (int) declared.stream().map(Variable::name).distinct().count();
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String s && indexOf(s) >= 0;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        Map<String, Object> all = new java.util.LinkedHashMap<>();
        for (Variable v : declared) {
            all.put(v.name(), get(v.name()));
        }
        return all.entrySet();
    }
}
