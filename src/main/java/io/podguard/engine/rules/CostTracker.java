package io.podguard.engine.rules;

import dev.cel.common.ast.CelExpr;
import dev.cel.runtime.CelEvaluationListener;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime cost of one CEL evaluation, counted as the apiserver counts it (cel-go's
 * {@code interpreter.CostTracker} with Kubernetes' {@code library.CostEstimator}): one per
 * identifier and field selection (a presence test is free), a list literal 10, a map literal 30,
 * one per function call except those whose cost grows with their arguments' size (string
 * comparison, concatenation, {@code contains}, {@code matches}, {@code in} over a list, the
 * Kubernetes libraries …). Past the limit the evaluation is cancelled with the apiserver's words,
 * {@code operation cancelled: actual cost limit exceeded}, so no rule can hang a review.
 *
 * <p>cel-java counts no cost, so this listener does, from the value of every node as it is
 * evaluated (post-order: a call's arguments are seen before the call). The figures match
 * cel-go's for the operations above; cel-go plans some expressions differently (it folds
 * constants, for one), so a cost within a few percent of the limit may be judged differently.
 */
final class CostTracker implements CelEvaluationListener {

    /** cel-go's {@code common.StringTraversalCostFactor}. */
    private static final double STRING_TRAVERSAL = 0.1;
    /** cel-go's {@code common.RegexStringLengthCostFactor}. */
    private static final double REGEX_LENGTH = 0.25;

    /**
     * The functions whose cost depends on their arguments or result: {@link #callCost}'s cases
     * (keep the two in step). Every other call costs 1, fixed when the expression is compiled (CostMarks).
     */
    static final java.util.Set<String> SIZED = java.util.Set.of("startsWith", "endsWith", "@in", "_<_", "_>_", "_<=_", "_>=_", "_==_",
            "_!=_", "_+_", "matches", "find", "findAll", "contains", "string", "bytes", "isSorted", "sum", "max", "min", "indexOf",
            "lastIndexOf", "includes", "strings.quote", "format", "lists.range", "slice", "reverse", "flatten", "distinct", "sort",
            "sets.contains", "sets.intersects", "sets.equivalent", "url", "lowerAscii", "upperAscii", "substring", "trim", "cidr", "isIP",
            "isCIDR", "quantity", "isQuantity", "semver", "isSemver", "isURL", "ip", "ip.isCanonical", "replace", "split", "join",
            "containsIP", "containsCIDR", "validate");

    /** The apiserver's words when the cost limit cancels an evaluation. */
    static final String LIMIT_EXCEEDED = "operation cancelled: actual cost limit exceeded";

    /** Thrown from the listener to stop the evaluation at once. */
    static final class LimitExceeded extends RuntimeException {
        LimitExceeded() {
            super(LIMIT_EXCEEDED, null, false, false);
        }
    }

    private final long limit;
    private final CostMarks marks;
    private long cost;
    /** The value of each node evaluated so far, by node id (a later evaluation of a node in a loop replaces it). */
    private Object[] values;
    /** The node of the last call: cel-java's planner reports a presence test and an optional field twice in a row. */
    private long last = -1;

    CostTracker(long limit, CostMarks marks) {
        this.limit = limit;
        this.marks = marks;
        this.values = new Object[marks.size()];
    }

    long cost() {
        return cost;
    }

    @Override
    public void callback(CelExpr expr, Object value) {
        long id = expr.id();
        if (id == last && marks.planned()) {
            // the same node again at once (its wrapper's report): counted once
            remember(id, value);
            return;
        }
        last = id;
        int fixed = marks.cost(id);
        if (fixed == CostMarks.FREE) {
            // computed once when cel-go builds the program: no cost when evaluated
            remember(id, value);
            return;
        }
        cost += fixed >= 0 ? fixed : fixed == CostMarks.COMPUTED ? callCost(expr, value) : byKind(expr, value);
        remember(id, value);
        if (cost > limit) {
            throw new LimitExceeded();
        }
    }

    /** The cost of a node the marks do not know (none should be): by its kind. */
    private long byKind(CelExpr expr, Object value) {
        return switch (expr.getKind()) {
            case CALL -> callCost(expr, value);
            case IDENT -> 1;
            case SELECT -> expr.select().testOnly() ? 0 : 1;
            case LIST -> 10;
            case MAP -> 30;
            case STRUCT -> 40;
            default -> 0;
        };
    }

    private void remember(long id, Object value) {
        if (id < 0 || id > Integer.MAX_VALUE - 8) {
            return;
        }
        if (id >= values.length) {
            values = java.util.Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(id + 1, 2L * values.length)));
        }
        values[(int) id] = value;
    }

    private long callCost(CelExpr expr, Object result) {
        CelExpr.CelCall call = expr.call();
        String fn = call.function();
        Object a0 = arg(call, 0);
        Object a1 = arg(call, 1);
        switch (fn) {
            case "startsWith", "endsWith" -> {
                return ceil(size(a1) * STRING_TRAVERSAL);
            }
            case "@in" -> {
                return a1 instanceof Collection<?> || a1 instanceof Map<?, ?> ? (a1 instanceof Map<?, ?> ? 1 : size(a1)) : 1;
            }
            case "_<_", "_>_", "_<=_", "_>=_", "_==_", "_!=_" -> {
                if (isKubernetesValue(a0)) {
                    return 1;
                }
                if (fn.startsWith("_=") || fn.startsWith("_!") || a0 instanceof String || a0 instanceof dev.cel.common.values.CelByteString) {
                    return ceil(Math.min(size(a0), size(a1)) * STRING_TRAVERSAL);
                }
                return 1;
            }
            case "_+_" -> {
                if (a0 instanceof String || a0 instanceof dev.cel.common.values.CelByteString) {
                    return ceil((size(a0) + size(a1)) * STRING_TRAVERSAL);
                }
                return 1;
            }
            case "matches" -> {
                return ceil((1.0 + size(a0)) * STRING_TRAVERSAL) * ceil(size(a1) * REGEX_LENGTH);
            }
            case "find", "findAll" -> {
                return ceil((1.0 + size(a0)) * STRING_TRAVERSAL) * ceil(size(a1) * REGEX_LENGTH);
            }
            case "contains" -> {
                return a0 instanceof String ? ceil(size(a0) * STRING_TRAVERSAL) * ceil(size(a1) * STRING_TRAVERSAL) : 1;
            }
            case "string", "bytes" -> {
                return a0 instanceof String || a0 instanceof dev.cel.common.values.CelByteString ? ceil(size(a0) * STRING_TRAVERSAL) : 1;
            }
            case "isSorted", "sum", "max", "min", "indexOf", "lastIndexOf", "includes" -> {
                return traversal(a0);
            }
            case "strings.quote", "format" -> {
                // cel-go's own cost of quote and format: their string's length, nothing for the call
                return ceil(size(a0) * STRING_TRAVERSAL);
            }
            case "lists.range", "slice", "reverse" -> {
                // the lists extension: a call, a list, its elements
                return 11 + size(result);
            }
            case "flatten" -> {
                double depth = arg(call, 1) instanceof Long d ? d : 1.0;
                return 11 + (long) (size(a0) * depth);
            }
            case "distinct", "sort" -> {
                return 11 + selfCompare(a0);
            }
            case "sets.contains", "sets.intersects" -> {
                return 1 + size(a0) * size(a1);
            }
            case "sets.equivalent" -> {
                return 1 + 2 * size(a0) * size(a1);
            }
            case "url", "lowerAscii", "upperAscii", "substring", "trim", "cidr", "isIP", "isCIDR", "quantity", "isQuantity",
                 "semver", "isSemver", "isURL" -> {
                return fn.equals("isURL") ? 1 : ceil(size(a0) * STRING_TRAVERSAL);
            }
            case "ip" -> {
                return a0 instanceof String ? ceil(size(a0) * STRING_TRAVERSAL) : 1;
            }
            case "ip.isCanonical" -> {
                return ceil(size(a0) * 2 * STRING_TRAVERSAL);
            }
            case "replace", "split" -> {
                return ceil(size(a0) * 2 * STRING_TRAVERSAL);
            }
            case "join" -> {
                return ceil(size(result) * 2 * STRING_TRAVERSAL);
            }
            case "containsIP", "containsCIDR" -> {
                long c = ceil(2.0 * size(a0) * STRING_TRAVERSAL);
                if (fn.equals("containsCIDR")) {
                    c += ceil(size(a0) * STRING_TRAVERSAL) + 1;
                }
                return a1 instanceof String ? c + ceil(size(a1) * STRING_TRAVERSAL) : c;
            }
            case "validate" -> {
                return a0 instanceof KubernetesFormats.Format f
                        ? ceil((1.0 + size(a1)) * STRING_TRAVERSAL) * ceil(f.maxRegexSize() * REGEX_LENGTH) : 1;
            }
            default -> {
                return 1;
            }
        }
    }

    /** Kubernetes' traversalCost: a string's (and bytes') length × 0.1, rounded down; lists and maps the sum of their parts; else 1. */
    private static long traversal(Object v) {
        return switch (v) {
            case null -> 1;
            case String s -> (long) (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length * STRING_TRAVERSAL);
            case dev.cel.common.values.CelByteString b -> (long) (b.size() * STRING_TRAVERSAL);
            case Collection<?> c -> {
                long sum = 0;
                for (Object o : c) {
                    sum += traversal(o);
                }
                yield sum;
            }
            case Map<?, ?> m -> {
                long sum = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sum += traversal(e.getKey()) + traversal(e.getValue());
                }
                yield sum;
            }
            default -> 1;
        };
    }

    /** The lists extension's O(n²) comparison cost: 2 per pair (2.1 for strings and bytes). */
    private static long selfCompare(Object list) {
        if (!(list instanceof java.util.List<?> l) || l.isEmpty()) {
            return 0;
        }
        double factor = l.getFirst() instanceof String || l.getFirst() instanceof dev.cel.common.values.CelByteString ? 2.0 + STRING_TRAVERSAL : 2.0;
        return (long) ((double) l.size() * l.size() * factor);
    }

    private Object arg(CelExpr.CelCall call, int index) {
        List<CelExpr> args = call.args();
        CelExpr e;
        if (call.target().isPresent()) {
            e = index == 0 ? call.target().get() : index - 1 < args.size() ? args.get(index - 1) : null;
        } else {
            e = index < args.size() ? args.get(index) : null;
        }
        if (e == null) {
            return null;
        }
        long id = e.id();
        return id >= 0 && id < values.length ? values[(int) id] : null;
    }

    private static boolean isKubernetesValue(Object v) {
        return v instanceof KubernetesQuantity.Quantity || v instanceof KubernetesIps.Ip || v instanceof KubernetesIps.Cidr
                || v instanceof KubernetesUrls.Url || v instanceof KubernetesSemver.Semver || v instanceof KubernetesFormats.Format;
    }

    /** cel-go's {@code actualSize}: code points of a string, bytes of bytes, entries of a list or map, else 1. */
    static long size(Object v) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof dev.cel.common.values.CelByteString b) {
            return b.size();
        }
        if (v instanceof Collection<?> c) {
            return c.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Optional<?> o && o.isPresent()) {
            return size(o.get());
        }
        return 1;
    }

    private static long ceil(double d) {
        return (long) Math.ceil(d);
    }
}
