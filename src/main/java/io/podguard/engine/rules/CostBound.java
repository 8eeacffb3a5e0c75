package io.podguard.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most {@link CostTracker} can charge one evaluation of a compiled expression, for an input
 * whose sizes are bounded ({@link Size}): a static estimate in the manner of cel-go's
 * {@code checker.CostEstimator}, but over podguard's own tracker, node by node: each node's cost
 * ({@link CostMarks}, or the bound of a call whose cost depends on its arguments) times the
 * number of times it can run (a comprehension's body once per element of its range, its
 * condition once more). An upper bound, never a guess: whatever it does not know (a function
 * whose result may outgrow its arguments, a comprehension whose accumulator is not one of the
 * macros', a message literal) is unbounded, and an expression with an unbounded cost keeps its
 * runtime tracking. cel-java's evaluation listener, which the tracker is, costs a call on every
 * node of every evaluation: where the bound proves the limit cannot be reached, podguard runs
 * without it ({@link CelRule}).
 *
 * <p>Written by hand: neither cel-java nor any other Java library estimates costs.
 */
final class CostBound {

    /** No bound. */
    static final double UNBOUNDED = Double.POSITIVE_INFINITY;

    /**
     * Bounds of a value: the most entries of any list or map in it, the most UTF-8 bytes of any
     * string (or bytes) in it, and its traversal cost (Kubernetes' {@code traversalCost}: a
     * string's bytes × 0.1, a list's or map's the sum of their parts', 1 for anything else).
     */
    record Size(double lists, double strings, double traversal) {
        static final Size SCALAR = new Size(1, 1, 1);
        static final Size UNKNOWN = new Size(UNBOUNDED, UNBOUNDED, UNBOUNDED);

        /** A string of at most {@code bytes} UTF-8 bytes. */
        static Size string(double bytes) {
            return new Size(0, bytes, Math.ceil(bytes * 0.1) + 1);
        }

        /** What {@link CostTracker#size} can answer: a string's length, a list's or map's entries, else 1. */
        double size() {
            return Math.max(1, Math.max(lists, strings));
        }

        Size max(Size o) {
            return new Size(Math.max(lists, o.lists), Math.max(strings, o.strings), Math.max(traversal, o.traversal));
        }

        boolean within(Size o) {
            return lists <= o.lists && strings <= o.strings && traversal <= o.traversal;
        }
    }

    /** The variables every expression may read, whose sizes are the input's. */
    private static final List<String> INPUTS = List.of("object", "oldObject", "request", "namespaceObject", "params");

    private record Est(double cost, Size size) {
    }

    private final CelAbstractSyntaxTree ast;
    private final CostMarks marks;
    private final double maxFormatRegex;

    private CostBound(CelAbstractSyntaxTree ast, CostMarks marks) {
        this.ast = ast;
        this.marks = marks;
        this.maxFormatRegex = KubernetesFormats.FORMATS.values().stream().mapToInt(KubernetesFormats.Format::maxRegexSize).max().orElse(0);
    }

    /** The bound of {@code run}, the tree cel-java runs, with its marks. */
    static CostBound of(CelAbstractSyntaxTree run, CostMarks marks) {
        return new CostBound(run, marks);
    }

    /**
     * The most one evaluation can cost, {@link #UNBOUNDED} when unknown.
     *
     * @param input bounds of every value of {@code object}, {@code oldObject}, {@code request}, {@code namespaceObject}
     * @param variables bounds of the values of {@code variables}, by name (absent: unknown)
     */
    double cost(Size input, Map<String, Size> variables) {
        if (!marks.planned()) {
            // the interpreter reports nodes otherwise than the marks assume: tracked
            return UNBOUNDED;
        }
        return est(ast.getExpr(), new Scope(input, variables, Map.of())).cost;
    }

    /** Bounds of the value of one evaluation (a variable's, for the expressions that read it). */
    Size result(Size input, Map<String, Size> variables) {
        return est(ast.getExpr(), new Scope(input, variables, Map.of())).size;
    }

    private record Scope(Size input, Map<String, Size> variables, Map<String, Size> locals) {
        Scope with(String name, Size size) {
            if (name == null || name.isEmpty()) {
                return this;
            }
            Map<String, Size> m = new HashMap<>(locals);
            m.put(name, size);
            return new Scope(input, variables, m);
        }

        Size ident(String name) {
            Size local = locals.get(name);
            if (local != null) {
                return local;
            }
            return INPUTS.contains(name) ? input : Size.UNKNOWN;
        }
    }

    /** The cost CostTracker charges one evaluation of node {@code e} itself (not its children). */
    private double own(CelExpr e, List<Size> args, Size result) {
        int fixed = marks.cost(e.id());
        if (fixed == CostMarks.FREE) {
            return 0;
        }
        if (fixed == CostMarks.UNKNOWN) {
            return UNBOUNDED;
        }
        if (fixed >= 0) {
            return fixed;
        }
        return callCost(e.call().function(), args, result);
    }

    private Est est(CelExpr e, Scope scope) {
        return switch (e.getKind()) {
            case CONSTANT -> new Est(own(e, List.of(), Size.SCALAR), constant(e.constant()));
            case IDENT -> new Est(own(e, List.of(), Size.SCALAR), scope.ident(e.ident().name()));
            case SELECT -> select(e, scope);
            case LIST -> literal(e, e.list().elements(), e.list().elements().size(), scope);
            case MAP -> literal(e, e.map().entries().stream().flatMap(m -> java.util.stream.Stream.of(m.key(), m.value())).toList(),
                    e.map().entries().size(), scope);
            case COMPREHENSION -> comprehension(e, scope);
            case CALL -> call(e, scope);
            default -> new Est(UNBOUNDED, Size.UNKNOWN);
        };
    }

    /** A list or map literal of {@code count} elements or entries, made of {@code parts}: their costs add up. */
    private Est literal(CelExpr e, List<CelExpr> parts, int count, Scope scope) {
        double cost = own(e, List.of(), Size.SCALAR);
        double lists = count;
        double strings = 0;
        double traversal = 1;
        for (CelExpr part : parts) {
            Est x = est(part, scope);
            cost += x.cost;
            lists = Math.max(lists, x.size.lists);
            strings = Math.max(strings, x.size.strings);
            traversal += x.size.traversal;
        }
        return new Est(cost, new Size(lists, strings, traversal));
    }

    private Est select(CelExpr e, Scope scope) {
        CelExpr operand = e.select().operand();
        Est of = est(operand, scope);
        double cost = of.cost + own(e, List.of(), Size.SCALAR);
        if (e.select().testOnly()) {
            return new Est(cost, Size.SCALAR);
        }
        if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT && operand.ident().name().equals("variables")
                && !scope.locals().containsKey("variables")) {
            return new Est(cost, scope.variables().getOrDefault(e.select().field(), Size.UNKNOWN));
        }
        // a field is a part of its operand
        return new Est(cost, of.size);
    }

    private Est comprehension(CelExpr e, Scope scope) {
        CelExpr.CelComprehension c = e.comprehension();
        Est range = est(c.iterRange(), scope);
        double iterations = range.size.lists;
        Est init = est(c.accuInit(), scope);
        // an element of the range (or a key, or an index) is a part of it
        Scope inner = scope.with(c.iterVar(), range.size).with(c.iterVar2(), range.size);
        Size accu = accumulator(c, inner, init.size, iterations);
        Scope withAccu = inner.with(c.accuVar(), accu);
        Est condition = est(c.loopCondition(), withAccu);
        Est step = est(c.loopStep(), withAccu);
        Est result = est(c.result(), scope.with(c.accuVar(), accu));
        double cost = own(e, List.of(), Size.SCALAR) + range.cost + init.cost + times(iterations + 1, condition.cost)
                + times(iterations, step.cost) + result.cost;
        return new Est(cost, result.size);
    }

    /**
     * Bounds of a comprehension's accumulator over all its iterations: a scalar when the checker
     * types the step so; a list the step appends one element to (the {@code map} and
     * {@code filter} macros: {@code @result + [x]}, or that under a condition); else the initial
     * value when the step cannot make it larger; else unknown.
     */
    private Size accumulator(CelExpr.CelComprehension c, Scope inner, Size init, double iterations) {
        if (scalar(c.loopStep().id())) {
            return Size.SCALAR.max(init);
        }
        CelExpr appended = appended(c.loopStep(), c.accuVar());
        if (appended != null) {
            Size el = est(appended, inner.with(c.accuVar(), Size.UNKNOWN)).size;
            return new Size(Math.max(init.lists + iterations, el.lists), Math.max(init.strings, el.strings),
                    init.traversal + times(iterations, el.traversal + 1));
        }
        Size after = est(c.loopStep(), inner.with(c.accuVar(), init)).size;
        return after.within(init) ? init : Size.UNKNOWN;
    }

    /** The element {@code step} appends to the accumulator ({@code accu + [x]}, or {@code p ? accu + [x] : accu}), else null. */
    private static CelExpr appended(CelExpr step, String accu) {
        if (step.getKind() != CelExpr.ExprKind.Kind.CALL) {
            return null;
        }
        CelExpr.CelCall call = step.call();
        if (call.function().equals("_?_:_") && call.args().size() == 3 && isIdent(call.args().get(2), accu)) {
            return appended(call.args().get(1), accu);
        }
        if (call.function().equals("_+_") && call.target().isEmpty() && call.args().size() == 2 && isIdent(call.args().get(0), accu)
                && call.args().get(1).getKind() == CelExpr.ExprKind.Kind.LIST && call.args().get(1).list().elements().size() == 1
                && call.args().get(1).list().optionalIndices().isEmpty()) {
            return call.args().get(1).list().elements().getFirst();
        }
        return null;
    }

    private static boolean isIdent(CelExpr e, String name) {
        return e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals(name);
    }

    private Est call(CelExpr e, Scope scope) {
        CelExpr.CelCall call = e.call();
        List<CelExpr> operands = new java.util.ArrayList<>(call.args().size() + 1);
        call.target().ifPresent(operands::add);
        operands.addAll(call.args());
        double cost = 0;
        List<Size> args = new java.util.ArrayList<>(operands.size());
        for (CelExpr o : operands) {
            Est x = est(o, scope);
            cost += x.cost;
            args.add(x.size);
        }
        Size result = callResult(e, args);
        return new Est(cost + own(e, args, result), result);
    }

    /** Bounds of a call's value: by its checked type, or by what the function makes of its arguments. */
    private Size callResult(CelExpr e, List<Size> args) {
        if (scalar(e.id())) {
            return Size.SCALAR;
        }
        Size a0 = arg(args, 0);
        Size a1 = arg(args, 1);
        return switch (e.call().function()) {
            case "_?_:_" -> a1.max(arg(args, 2));
            case "_+_" -> new Size(a0.lists + a1.lists, a0.strings + a1.strings, a0.traversal + a1.traversal);
            // a part of the operand
            case "_[_]", "_[?_]", "_?._", "value", "optional.of", "optional.ofNonZeroValue", "slice", "reverse", "distinct", "sort",
                 "lowerAscii", "upperAscii", "trim", "substring", "charAt" -> a0;
            case "orValue", "or" -> a0.max(a1);
            case "join" -> Size.string(times(a0.lists, a0.strings) + times(a0.lists, args.size() > 1 ? a1.strings : 0));
            case "split" -> new Size(a0.strings + 1, a0.strings, a0.strings + 1);
            // the text of a number, a bool, a timestamp or a duration, or the string or bytes given
            case "string" -> Size.string(Math.max(64, a0.strings));
            case "@not_strictly_false", "!_", "_&&_", "_||_" -> Size.SCALAR;
            default -> Size.UNKNOWN;
        };
    }

    private static Size arg(List<Size> args, int index) {
        return index < args.size() ? args.get(index) : Size.UNKNOWN;
    }

    /** Whether the checker types node {@code id} as a value whose size and traversal cost are 1. */
    private boolean scalar(long id) {
        return ast.getType(id).map(CostBound::scalar).orElse(false);
    }

    private static boolean scalar(CelType t) {
        return switch (t.kind()) {
            case BOOL, INT, UINT, DOUBLE, NULL_TYPE, TIMESTAMP, DURATION, TYPE -> true;
            // the Kubernetes library types (quantity, IP, CIDR, URL, semver, format): size 1; an optional is its value's
            case OPAQUE -> !t.name().equals("optional_type");
            default -> false;
        };
    }

    private static Size constant(CelConstant c) {
        return switch (c.getKind()) {
            case STRING_VALUE -> Size.string(c.stringValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            case BYTES_VALUE -> Size.string(c.bytesValue().size());
            default -> Size.SCALAR;
        };
    }

    /**
     * The bound of {@link CostTracker}'s cost of a call whose cost depends on its arguments and
     * result: the same cases, each argument's size replaced by its bound (keep the two in step).
     */
    private double callCost(String fn, List<Size> args, Size result) {
        double a0 = arg(args, 0).size();
        double a1 = arg(args, 1).size();
        return switch (fn) {
            case "startsWith", "endsWith" -> tenth(a1);
            case "@in" -> a1;
            case "_<_", "_>_", "_<=_", "_>=_", "_==_", "_!=_" -> Math.max(1, tenth(Math.min(a0, a1)));
            case "_+_" -> Math.max(1, tenth(a0 + a1));
            case "matches", "find", "findAll" -> times(tenth(1 + a0), Math.ceil(a1 * 0.25));
            case "contains" -> Math.max(1, times(tenth(a0), tenth(a1)));
            case "string", "bytes", "strings.quote", "format", "url", "lowerAscii", "upperAscii", "substring", "trim", "cidr", "isIP",
                 "isCIDR", "quantity", "isQuantity", "semver", "isSemver", "isURL", "ip" -> Math.max(1, tenth(a0));
            case "isSorted", "sum", "max", "min", "indexOf", "lastIndexOf", "includes" -> Math.max(1, arg(args, 0).traversal());
            case "lists.range" -> UNBOUNDED;
            case "slice", "reverse" -> 11 + result.size();
            case "flatten" -> args.size() > 1 ? UNBOUNDED : 11 + a0;
            case "distinct", "sort" -> 11 + times(times(a0, a0), 2.1);
            case "sets.contains", "sets.intersects" -> 1 + times(a0, a1);
            case "sets.equivalent" -> 1 + 2 * times(a0, a1);
            case "ip.isCanonical", "replace", "split" -> Math.ceil(a0 * 0.2);
            case "join" -> Math.ceil(result.size() * 0.2);
            case "containsIP", "containsCIDR" -> Math.ceil(a0 * 0.2) + tenth(a0) + 1 + tenth(a1);
            case "validate" -> times(tenth(1 + a1), Math.ceil(maxFormatRegex * 0.25));
            default -> 1;
        };
    }

    private static double tenth(double d) {
        return Math.ceil(d * 0.1);
    }

    /** A product where nothing times anything is nothing (no iteration, no cost). */
    private static double times(double a, double b) {
        return a == 0 || b == 0 ? 0 : a * b;
    }
}
