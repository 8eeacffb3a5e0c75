package io.podguard.engine.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelVariableResolver;
import java.lang.classfile.Label;
import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * A checked expression evaluated straight over its tree, for the shapes rules are made of: field
 * selection, {@code has()} and {@code ?.}, the comprehension macros, the logical operators,
 * equality and order of strings, ints, doubles and bools, {@code in}, {@code size}, the string
 * tests, optionals, and podguard's own library functions. cel-java's planner runs the same
 * expressions through attributes, qualifiers and a value converter on every field read, which is
 * most of what a rule costs; here a field read is a map lookup.
 *
 * <p>It gives cel-java's value or none: wherever its value could differ from the planner's (an
 * error of any kind, a type it does not handle, a function whose overload it cannot choose) it
 * gives up ({@link #GAVE_UP}), and the caller runs cel-java's program, which answers, errors and
 * all. An expression with a node it does not know has no direct program at all
 * ({@link #of} returns null). It runs only where no cost is tracked ({@link CostBound}), so it
 * never has to count. Every expression of the CEL corpus is compared with cel-java's planner in
 * the unit suite ({@code DirectProgramTest}).
 *
 * <p>Written by hand: cel-java has no cheaper evaluator to configure.
 */
final class DirectProgram {

    /** The value {@link #eval} gives when cel-java must answer. */
    static final Object GAVE_UP = new Object();

    /** Thrown inside an evaluation to give up; never seen outside. */
    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super(null, null, false, false);
        }
    }

    private static final GiveUp GIVE_UP = new GiveUp();

    /** The variables an expression may read, each with its slot in a {@link Frame}, before the comprehensions' slots. */
    private static final String[] GLOBALS = {"object", "oldObject", "request", "namespaceObject", "variables", "params"};

    private final Node root;
    private final int slots;
    /** The tree as code ({@link DirectCode}); null where it could not be made, and the tree is walked. */
    private final @Nullable Code code;

    private DirectProgram(Node root, int slots) {
        this.root = root;
        this.slots = slots;
        this.code = code(root);
    }

    /**
     * A tree emitted as a method of a hidden class: a class, not an interface, so that the call of
     * a rule's code (a site that sees every rule's class) goes through the class's table of
     * methods, not a search of its interfaces.
     */
    abstract static class Code {
        abstract Object eval(Frame f);
    }

    /**
     * {@code root} as code, or null where it is too large for the JIT or its code cannot be made
     * (the unit suite makes every expression of its corpus as code: none fails there); the tree
     * is then walked, with the same values.
     */
    private static @Nullable Code code(Node root) {
        try {
            DirectCode.Emitted emitted = DirectCode.emit(root);
            if (emitted == null) {
                return null;
            }
            MethodHandles.Lookup made = MethodHandles.lookup().defineHiddenClassWithClassData(emitted.bytes(), emitted.data(), true,
                    MethodHandles.Lookup.ClassOption.NESTMATE);
            return (Code) made.findConstructor(made.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            if (e instanceof Error && !(e instanceof LinkageError)) {
                throw (Error) e;
            }
            return null;
        }
    }

    /**
     * The direct program of {@code checked}, or null when it has a node this class does not
     * evaluate.
     *
     * @param bindings podguard's function bindings as the planner runs them, by overload id
     */
    static @Nullable DirectProgram of(CelAbstractSyntaxTree checked, Map<String, CelFunctionBinding> bindings) {
        CelKind kind = checked.getResultType().kind();
        if (kind != CelKind.BOOL && kind != CelKind.STRING && kind != CelKind.INT && kind != CelKind.DOUBLE && kind != CelKind.DYN
                && kind != CelKind.NULL_TYPE) {
            // a list, a map or an optional would have to be in cel-java's own forms
            return null;
        }
        Compiler c = new Compiler(checked, bindings);
        Node root = c.compile(checked.getExpr(), new Scope(null, null, -1));
        return root == null ? null : new DirectProgram(root, c.slots);
    }

    /** The value of the expression, or {@link #GAVE_UP}. */
    Object eval(CelVariableResolver variables) {
        return eval(variables, code != null);
    }

    /** Whether the tree runs as code (else it is walked). */
    boolean compiled() {
        return code != null;
    }

    /** The value of the expression, or {@link #GAVE_UP}, by its code or by walking its tree. */
    Object eval(CelVariableResolver variables, boolean asCode) {
        Frame f = new Frame(variables, new Object[slots]);
        Object v;
        try {
            v = asCode ? code.eval(f) : root.eval(f);
        } catch (RuntimeException e) {
            // a variable that fails (LazyVariables), a library function's own error: cel-java words it
            return GAVE_UP;
        }
        if (v instanceof Boolean || v instanceof String || v instanceof Long || v instanceof Double || v == NullValue.NULL_VALUE) {
            return v;
        }
        return GAVE_UP;
    }

    /** One evaluation: the variables, and the values of the globals read so far and of the comprehensions' variables. */
    record Frame(CelVariableResolver variables, Object[] slots) {
    }

    /**
     * A node of the tree: its value in a frame ({@link #eval}), and the code that computes the same
     * ({@link #emit}), by the same static steps.
     */
    abstract static class Node {
        abstract Object eval(Frame f);

        final boolean bool(Frame f) {
            return asBool(eval(f));
        }

        final String string(Frame f) {
            return asString(eval(f));
        }

        /** Code leaving the node's value on the stack; unless a node has code of its own, a call of its {@link #eval}. */
        void emit(DirectCode c) {
            if (this instanceof Bool) {
                emitBool(c);
                c.box();
            } else {
                c.constant(this, Node.class).frame().virtual(Node.class, "eval", Object.class, Frame.class);
            }
        }

        /** Code leaving the node's value as a JVM boolean, giving up unless it is a bool. */
        void emitBool(DirectCode c) {
            emit(c);
            c.step("asBool", boolean.class, Object.class);
        }

        /** Code leaving the node's value as a string, giving up unless it is one. */
        final void emitString(DirectCode c) {
            emit(c);
            c.step("asString", String.class, Object.class);
        }
    }

    /** A node whose value is a bool: its code ({@link Node#emitBool}) computes a JVM boolean, boxed only where a value is wanted. */
    private interface Bool {
    }

    private static boolean asBool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw GIVE_UP;
    }

    private static String asString(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw GIVE_UP;
    }

    /** Lexical scope: a comprehension variable's slot. */
    private record Scope(@Nullable Scope parent, @Nullable String name, int slot) {
        int find(String n) {
            for (Scope s = this; s != null; s = s.parent) {
                if (n.equals(s.name)) {
                    return s.slot;
                }
            }
            return -1;
        }
    }

    private static final class Compiler {
        private final CelAbstractSyntaxTree ast;
        private final Map<String, CelFunctionBinding> bindings;
        private int slots = GLOBALS.length;

        Compiler(CelAbstractSyntaxTree ast, Map<String, CelFunctionBinding> bindings) {
            this.ast = ast;
            this.bindings = bindings;
        }

        @Nullable Node compile(CelExpr e, Scope scope) {
            return switch (e.getKind()) {
                case CONSTANT -> constant(e.constant());
                case IDENT -> ident(e, scope);
                case SELECT -> select(e, scope);
                case CALL -> call(e, scope);
                case LIST -> list(e, scope);
                case COMPREHENSION -> comprehension(e, scope);
                default -> null;
            };
        }

        private @Nullable Node constant(CelConstant c) {
            Object v = switch (c.getKind()) {
                case BOOLEAN_VALUE -> c.booleanValue();
                case INT64_VALUE -> c.int64Value();
                case DOUBLE_VALUE -> c.doubleValue();
                case STRING_VALUE -> c.stringValue();
                case NULL_VALUE -> NullValue.NULL_VALUE;
                default -> null;
            };
            return v == null ? null : new Constant(v);
        }

        private @Nullable Node ident(CelExpr e, Scope scope) {
            String name = e.ident().name();
            if (ast.getReference(e.id()).flatMap(CelReference::value).isPresent()) {
                return null;
            }
            int slot = scope.find(name);
            if (slot >= 0) {
                return new Local(slot);
            }
            for (int i = 0; i < GLOBALS.length; i++) {
                if (GLOBALS[i].equals(name)) {
                    return new Global(i);
                }
            }
            return null;
        }

        private @Nullable Node select(CelExpr e, Scope scope) {
            CelExpr.CelSelect s = e.select();
            Node operand = compile(s.operand(), scope);
            if (operand == null) {
                return null;
            }
            // interned, as the variables' names are (LazyVariables): variables.x finds its variable by identity
            String field = s.field().intern();
            return s.testOnly() ? new Has(operand, field) : new Select(operand, field);
        }

        private @Nullable Node list(CelExpr e, Scope scope) {
            if (!e.list().optionalIndices().isEmpty()) {
                return null;
            }
            List<Node> elements = new ArrayList<>();
            for (CelExpr x : e.list().elements()) {
                Node n = compile(x, scope);
                if (n == null) {
                    return null;
                }
                elements.add(n);
            }
            return new MakeList(elements.toArray(Node[]::new));
        }

        private @Nullable Node comprehension(CelExpr e, Scope scope) {
            CelExpr.CelComprehension c = e.comprehension();
            if (!c.iterVar2().isEmpty()) {
                return null;
            }
            Node range = compile(c.iterRange(), scope);
            Node quantifier = quantifier(c, range, scope);
            if (quantifier != null) {
                return quantifier;
            }
            Node init = compile(c.accuInit(), scope);
            int accu = slots++;
            int iter = slots++;
            Scope withAccu = new Scope(scope, c.accuVar(), accu);
            Scope loop = new Scope(withAccu, c.iterVar(), iter);
            Node condition = compile(c.loopCondition(), loop);
            Node step = compile(c.loopStep(), loop);
            Node result = compile(c.result(), withAccu);
            if (range == null || init == null || condition == null || step == null || result == null) {
                return null;
            }
            return new Fold(range, init, accu, iter, condition, step, result);
        }

        /**
         * The {@code all} and {@code exists} macros' comprehensions as a loop that stops at the
         * first element deciding it: what the fold computes where no element fails (an element
         * that fails gives up, and cel-java decides whether another absorbs it).
         */
        private @Nullable Node quantifier(CelExpr.CelComprehension c, @Nullable Node range, Scope scope) {
            if (range == null || c.accuInit().getKind() != CelExpr.ExprKind.Kind.CONSTANT
                    || c.accuInit().constant().getKind() != CelConstant.Kind.BOOLEAN_VALUE || !isIdent(c.result(), c.accuVar())) {
                return null;
            }
            boolean all = c.accuInit().constant().booleanValue();
            // all: while @not_strictly_false(accu); exists: while @not_strictly_false(!accu)
            CelExpr stop = unary(c.loopCondition(), "@not_strictly_false");
            if (stop != null && !all) {
                stop = unary(stop, "!_");
            }
            if (stop == null || !isIdent(stop, c.accuVar())) {
                return null;
            }
            CelExpr step = c.loopStep();
            if (step.getKind() != CelExpr.ExprKind.Kind.CALL || !step.call().function().equals(all ? "_&&_" : "_||_")
                    || step.call().target().isPresent() || step.call().args().size() != 2 || !isIdent(step.call().args().get(0), c.accuVar())) {
                return null;
            }
            int iter = slots++;
            // the predicate sees the element, not the accumulator (which no name of a rule's can reach)
            Node predicate = compile(step.call().args().get(1), new Scope(scope, c.iterVar(), iter));
            return predicate == null ? null : new Quantifier(range, iter, predicate, all);
        }

        private static boolean isIdent(CelExpr e, String name) {
            return e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals(name);
        }

        /** The argument of a call of {@code function} with one argument and no target, else null. */
        private static @Nullable CelExpr unary(CelExpr e, String function) {
            if (e.getKind() != CelExpr.ExprKind.Kind.CALL || !e.call().function().equals(function) || e.call().target().isPresent()
                    || e.call().args().size() != 1) {
                return null;
            }
            return e.call().args().get(0);
        }

        private @Nullable Node call(CelExpr e, Scope scope) {
            CelExpr.CelCall call = e.call();
            List<Node> args = new ArrayList<>();
            if (call.target().isPresent()) {
                Node t = compile(call.target().get(), scope);
                if (t == null) {
                    return null;
                }
                args.add(t);
            }
            boolean receiver = call.target().isPresent();
            for (CelExpr a : call.args()) {
                Node n = compile(a, scope);
                if (n == null) {
                    return null;
                }
                args.add(n);
            }
            int n = args.size();
            Node a = n > 0 ? args.get(0) : null;
            Node b = n > 1 ? args.get(1) : null;
            String function = call.function();
            Node builtIn = switch (function) {
                case "_&&_" -> n == 2 ? new Logical(a, b, true) : null;
                case "_||_" -> n == 2 ? new Logical(a, b, false) : null;
                case "!_" -> n == 1 ? new Not(a) : null;
                case "_?_:_" -> n == 3 ? new Conditional(a, b, args.get(2)) : null;
                case "@not_strictly_false" -> n == 1 ? new IsBool(a) : null;
                case "_==_" -> n == 2 ? new Equals(a, b, false) : null;
                case "_!=_" -> n == 2 ? new Equals(a, b, true) : null;
                case "_<_" -> n == 2 ? new Compare(a, b, Compare.LESS) : null;
                case "_<=_" -> n == 2 ? new Compare(a, b, Compare.LESS_EQUAL) : null;
                case "_>_" -> n == 2 ? new Compare(a, b, Compare.GREATER) : null;
                case "_>=_" -> n == 2 ? new Compare(a, b, Compare.GREATER_EQUAL) : null;
                case "@in" -> n == 2 ? new In(a, b) : null;
                case "size" -> n == 1 ? new Size(a) : null;
                case "startsWith", "endsWith", "contains" -> receiver && n == 2 ? new StringTest(function, a, b) : null;
                case "_[_]" -> n == 2 && !receiver ? new Index(a, b) : null;
                case "_?._" -> n == 2 && !receiver && call.args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                        && call.args().get(1).constant().getKind() == CelConstant.Kind.STRING_VALUE
                        ? new OptionalSelect(a, call.args().get(1).constant().stringValue()) : null;
                case "orValue" -> receiver && n == 2 ? new OrValue(a, b) : null;
                case "hasValue" -> receiver && n == 1 ? new HasValue(a) : null;
                case "value" -> receiver && n == 1 ? new OptionalValue(a) : null;
                case "string" -> !receiver && n == 1 ? new IsString(a) : null;
                case "optional.none" -> !receiver && n == 0 ? new Constant(Optional.empty()) : null;
                default -> null;
            };
            if (builtIn != null) {
                return builtIn;
            }
            // one of podguard's own functions (or a standard one it binds in cel-java's place), by the checker's overloads
            boolean add = function.equals("_+_") && n == 2;
            List<CelFunctionBinding> candidates = new ArrayList<>();
            for (String id : ast.getReference(e.id()).map(CelReference::overloadIds).orElse(com.google.common.collect.ImmutableList.of())) {
                CelFunctionBinding binding = bindings.get(id);
                if (binding != null && binding.isStrict()) {
                    candidates.add(binding);
                } else if (!add) {
                    // cel-java's standard function, which only cel-java runs (a sum of two strings or ints is made below)
                    return null;
                }
            }
            if (candidates.isEmpty() && !add) {
                return null;
            }
            Node[] all = args.toArray(Node[]::new);
            if (add) {
                return new Add(a, b, candidates);
            }
            Call made = new Call(all, candidates);
            return args.stream().allMatch(x -> x instanceof Constant) ? folded(made) : made;
        }

        /**
         * A call of constants, made once here ({@code quantity('2Gi')}): podguard's functions and
         * the extensions' depend on their arguments alone. Only a value no evaluation can change
         * (a string, a number, a bool, a record such as a quantity) is kept; a list or a map
         * might be one that grows in place ({@link AppendedList}), and is made on every evaluation.
         */
        private static Node folded(Call call) {
            Object v;
            try {
                v = call.eval(new Frame(name -> Optional.empty(), new Object[GLOBALS.length]));
            } catch (RuntimeException e) {
                return call;
            }
            boolean lasting = v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
                    || v.getClass().isRecord();
            return lasting ? new Constant(v) : call;
        }
    }


    /** A node of one operand. */
    private abstract static class Unary extends Node {
        final Node a;

        Unary(Node a) {
            this.a = a;
        }
    }

    /** A node of two operands. */
    private abstract static class Binary extends Node {
        final Node a;
        final Node b;

        Binary(Node a, Node b) {
            this.a = a;
            this.b = b;
        }

        /** Code leaving both operands' values on the stack, the first first. */
        final void emitBoth(DirectCode c) {
            a.emit(c);
            b.emit(c);
        }
    }

    /** A node reading one field of its operand's value. */
    private abstract static class Field extends Node {
        final Node operand;
        final String field;

        Field(Node operand, String field) {
            this.operand = operand;
            this.field = field;
        }

        /** Code applying the static step {@code name} to the operand's value and the field's name. */
        final void emitStep(DirectCode c, String name, Class<?> returns) {
            operand.emit(c);
            c.constant(field).step(name, returns, Object.class, String.class);
        }
    }

    private static final class Constant extends Node {
        private final Object value;

        Constant(Object value) {
            this.value = value;
        }

        @Override
        Object eval(Frame f) {
            return value;
        }

        @Override
        void emit(DirectCode c) {
            c.constant(value);
        }
    }

    /** A comprehension's variable. */
    private static final class Local extends Node {
        private final int slot;

        Local(int slot) {
            this.slot = slot;
        }

        @Override
        Object eval(Frame f) {
            return f.slots[slot];
        }

        @Override
        void emit(DirectCode c) {
            c.slots().constant(slot).code().aaload();
        }
    }

    /** One of {@link #GLOBALS}, resolved on its first read in an evaluation. */
    private static final class Global extends Node {
        private final int slot;

        Global(int slot) {
            this.slot = slot;
        }

        @Override
        Object eval(Frame f) {
            return global(f, slot);
        }

        @Override
        void emit(DirectCode c) {
            c.frame().constant(slot).step("global", Object.class, Frame.class, int.class);
        }
    }

    private static Object global(Frame f, int slot) {
        Object v = f.slots[slot];
        if (v == null) {
            v = f.variables.find(GLOBALS[slot]).orElseThrow(() -> GIVE_UP);
            f.slots[slot] = v;
        }
        return v;
    }

    /** Whether {@code v} is a value as cel-java's planner hands it on; else give up. */
    private static Object plain(@Nullable Object v) {
        // a pod's own values first: classes, which are tested faster than the interfaces after them
        if (v instanceof String || v instanceof CelJson.JsonObject || v instanceof CelJson.JsonArray || v instanceof Long || v instanceof Boolean
                || v instanceof Map || v instanceof List || v instanceof Double || v == NullValue.NULL_VALUE) {
            return v;
        }
        throw GIVE_UP;
    }

    private static final class Select extends Field {
        Select(Node operand, String field) {
            super(operand, field);
        }

        @Override
        Object eval(Frame f) {
            return select(operand.eval(f), field);
        }

        @Override
        void emit(DirectCode c) {
            emitStep(c, "select", Object.class);
        }
    }

    private static Object select(Object o, String field) {
        if (o instanceof Map<?, ?> m) {
            return plain(m.get(field));
        }
        throw GIVE_UP;
    }

    private static final class Has extends Field implements Bool {
        Has(Node operand, String field) {
            super(operand, field);
        }

        @Override
        Object eval(Frame f) {
            return has(operand.eval(f), field);
        }

        @Override
        void emitBool(DirectCode c) {
            emitStep(c, "has", boolean.class);
        }
    }

    private static boolean has(Object o, String field) {
        if (o instanceof Map<?, ?> m) {
            return m.containsKey(field);
        }
        throw GIVE_UP;
    }

    private static final class OptionalSelect extends Field {
        OptionalSelect(Node operand, String field) {
            super(operand, field);
        }

        @Override
        Object eval(Frame f) {
            return optionalSelect(operand.eval(f), field);
        }

        @Override
        void emit(DirectCode c) {
            emitStep(c, "optionalSelect", Object.class);
        }
    }

    private static Object optionalSelect(Object v, String field) {
        if (v instanceof Optional<?> o) {
            if (o.isEmpty()) {
                return o;
            }
            v = o.get();
        }
        if (v instanceof Map<?, ?> m) {
            if (!m.containsKey(field)) {
                return Optional.empty();
            }
            return Optional.of(plain(m.get(field)));
        }
        throw GIVE_UP;
    }

    /** {@code a[b]}: an element of a list, a value of a map with string keys. */
    private static final class Index extends Binary {
        Index(Node operand, Node index) {
            super(operand, index);
        }

        @Override
        Object eval(Frame f) {
            Object o = a.eval(f);
            return index(o, b.eval(f));
        }

        @Override
        void emit(DirectCode c) {
            emitBoth(c);
            c.step("index", Object.class, Object.class, Object.class);
        }
    }

    private static Object index(Object o, Object i) {
        if (o instanceof List<?> l && i instanceof Long n && n >= 0 && n < l.size()) {
            return plain(l.get((int) (long) n));
        }
        if (o instanceof Map<?, ?> m && i instanceof String k) {
            return plain(m.get(k));
        }
        throw GIVE_UP;
    }

    private static Optional<?> optional(Object v) {
        if (v instanceof Optional<?> o) {
            return o;
        }
        throw GIVE_UP;
    }

    /** {@code a.orValue(b)}. */
    private static final class OrValue extends Binary {
        OrValue(Node optional, Node otherwise) {
            super(optional, otherwise);
        }

        @Override
        Object eval(Frame f) {
            Optional<?> o = optional(a.eval(f));
            return o.isPresent() ? o.get() : b.eval(f);
        }

        @Override
        void emit(DirectCode c) {
            Label otherwise = c.label();
            Label end = c.label();
            a.emit(c);
            c.step("optional", Optional.class, Object.class);
            c.code().dup();
            c.virtual(Optional.class, "isPresent", boolean.class);
            c.code().ifeq(otherwise);
            c.virtual(Optional.class, "get", Object.class);
            c.code().goto_(end).labelBinding(otherwise).pop();
            b.emit(c);
            c.code().checkcast(ConstantDescs.CD_Object).labelBinding(end);
        }
    }

    private static final class HasValue extends Unary implements Bool {
        HasValue(Node optional) {
            super(optional);
        }

        @Override
        Object eval(Frame f) {
            return optional(a.eval(f)).isPresent();
        }

        @Override
        void emitBool(DirectCode c) {
            a.emit(c);
            c.step("optional", Optional.class, Object.class).virtual(Optional.class, "isPresent", boolean.class);
        }
    }

    private static final class OptionalValue extends Unary {
        OptionalValue(Node optional) {
            super(optional);
        }

        @Override
        Object eval(Frame f) {
            return optionalValue(a.eval(f));
        }

        @Override
        void emit(DirectCode c) {
            a.emit(c);
            c.step("optionalValue", Object.class, Object.class);
        }
    }

    private static Object optionalValue(Object v) {
        if (v instanceof Optional<?> o && o.isPresent()) {
            return o.get();
        }
        throw GIVE_UP;
    }

    /**
     * {@code a && b} and {@code a || b}: the second operand only when the first does not decide.
     * An error on either side may be absorbed by the other's deciding value: cel-java decides that.
     */
    private static final class Logical extends Binary implements Bool {
        /** True for {@code &&}, which a false decides; false for {@code ||}, which a true decides. */
        private final boolean and;

        Logical(Node a, Node b, boolean and) {
            super(a, b);
            this.and = and;
        }

        @Override
        Object eval(Frame f) {
            return a.bool(f) != and ? !and : b.bool(f);
        }

        @Override
        void emitBool(DirectCode c) {
            Label decided = c.label();
            Label end = c.label();
            a.emitBool(c);
            c.jumpIf(!and, decided);
            b.emitBool(c);
            c.code().goto_(end).labelBinding(decided).loadConstant(and ? 0 : 1).labelBinding(end);
        }
    }

    private static final class Not extends Unary implements Bool {
        Not(Node a) {
            super(a);
        }

        @Override
        Object eval(Frame f) {
            return !a.bool(f);
        }

        @Override
        void emitBool(DirectCode c) {
            a.emitBool(c);
            c.code().iconst_1().ixor();
        }
    }

    /** {@code @not_strictly_false} of a bool: the bool (an error, which it would take for true, gives up). */
    private static final class IsBool extends Unary implements Bool {
        IsBool(Node a) {
            super(a);
        }

        @Override
        Object eval(Frame f) {
            return a.bool(f);
        }

        @Override
        void emitBool(DirectCode c) {
            a.emitBool(c);
        }
    }

    /** {@code string()} of a string: itself. */
    private static final class IsString extends Unary {
        IsString(Node a) {
            super(a);
        }

        @Override
        Object eval(Frame f) {
            return a.string(f);
        }

        @Override
        void emit(DirectCode c) {
            a.emitString(c);
        }
    }

    private static final class Conditional extends Node {
        private final Node condition;
        private final Node then;
        private final Node otherwise;

        Conditional(Node condition, Node then, Node otherwise) {
            this.condition = condition;
            this.then = then;
            this.otherwise = otherwise;
        }

        @Override
        Object eval(Frame f) {
            return condition.bool(f) ? then.eval(f) : otherwise.eval(f);
        }

        @Override
        void emit(DirectCode c) {
            Label no = c.label();
            Label end = c.label();
            condition.emitBool(c);
            c.code().ifeq(no);
            then.emit(c);
            c.code().checkcast(ConstantDescs.CD_Object).goto_(end).labelBinding(no);
            otherwise.emit(c);
            c.code().checkcast(ConstantDescs.CD_Object).labelBinding(end);
        }
    }

    /** CEL's equality where it is Java's: two strings, ints, bools or nulls; two doubles but NaN as numbers. Else give up. */
    private static boolean equal(Object x, Object y) {
        if (x instanceof String s && y instanceof String t) {
            return s.equals(t);
        }
        if (x instanceof Long s && y instanceof Long t) {
            return s.longValue() == t.longValue();
        }
        if (x instanceof Boolean s && y instanceof Boolean t) {
            return s.booleanValue() == t.booleanValue();
        }
        if (x instanceof Double s && y instanceof Double t && !s.isNaN() && !t.isNaN()) {
            // a NaN is equal to itself in cel-java (the same object), to no other NaN
            return s.doubleValue() == t.doubleValue();
        }
        if (x == NullValue.NULL_VALUE && y == NullValue.NULL_VALUE) {
            return true;
        }
        throw GIVE_UP;
    }

    private static final class Equals extends Binary implements Bool {
        private final boolean negated;

        Equals(Node a, Node b, boolean negated) {
            super(a, b);
            this.negated = negated;
        }

        @Override
        Object eval(Frame f) {
            Object x = a.eval(f);
            return equal(x, b.eval(f)) != negated;
        }

        @Override
        void emitBool(DirectCode c) {
            emitBoth(c);
            c.step("equal", boolean.class, Object.class, Object.class);
            if (negated) {
                c.code().iconst_1().ixor();
            }
        }
    }

    private static final class Compare extends Binary implements Bool {
        static final int LESS = 0;
        static final int LESS_EQUAL = 1;
        static final int GREATER = 2;
        static final int GREATER_EQUAL = 3;
        private final int op;

        Compare(Node a, Node b, int op) {
            super(a, b);
            this.op = op;
        }

        @Override
        Object eval(Frame f) {
            Object x = a.eval(f);
            return compare(x, b.eval(f), op);
        }

        @Override
        void emitBool(DirectCode c) {
            emitBoth(c);
            c.constant(op).step("compare", boolean.class, Object.class, Object.class, int.class);
        }
    }

    /** {@code x op y} for two doubles, ints, strings or bools; else give up. */
    private static boolean compare(Object x, Object y, int op) {
        if (x instanceof Double s && y instanceof Double t) {
            double p = s;
            double q = t;
            return switch (op) {
                case Compare.LESS -> p < q;
                case Compare.LESS_EQUAL -> p <= q;
                case Compare.GREATER -> p > q;
                default -> p >= q;
            };
        }
        int c;
        if (x instanceof Long s && y instanceof Long t) {
            c = Long.compare(s, t);
        } else if (x instanceof String s && y instanceof String t) {
            // cel-java's order of strings is Java's
            c = s.compareTo(t);
        } else if (x instanceof Boolean s && y instanceof Boolean t) {
            c = Boolean.compare(s, t);
        } else {
            throw GIVE_UP;
        }
        return switch (op) {
            case Compare.LESS -> c < 0;
            case Compare.LESS_EQUAL -> c <= 0;
            case Compare.GREATER -> c > 0;
            default -> c >= 0;
        };
    }

    /** {@code a in b}: a key of a map with string keys, an element of a list. */
    private static final class In extends Binary implements Bool {
        In(Node element, Node collection) {
            super(element, collection);
        }

        @Override
        Object eval(Frame f) {
            Object x = a.eval(f);
            return in(x, b.eval(f));
        }

        @Override
        void emitBool(DirectCode c) {
            emitBoth(c);
            c.step("in", boolean.class, Object.class, Object.class);
        }
    }

    private static boolean in(Object x, Object c) {
        if (c instanceof Map<?, ?> m && x instanceof String k) {
            return m.containsKey(k);
        }
        if (c instanceof List<?> l) {
            for (Object y : l) {
                if (equal(x, y)) {
                    return true;
                }
            }
            return false;
        }
        throw GIVE_UP;
    }

    private static final class Size extends Unary {
        Size(Node a) {
            super(a);
        }

        @Override
        Object eval(Frame f) {
            return size(a.eval(f));
        }

        @Override
        void emit(DirectCode c) {
            a.emit(c);
            c.step("size", Object.class, Object.class);
        }
    }

    private static Object size(Object v) {
        if (v instanceof String s) {
            return (long) s.codePointCount(0, s.length());
        }
        if (v instanceof List<?> l) {
            return (long) l.size();
        }
        if (v instanceof Map<?, ?> m) {
            return (long) m.size();
        }
        throw GIVE_UP;
    }

    /** startsWith, endsWith, contains: cel-java's are Java's. */
    private static final class StringTest extends Binary implements Bool {
        private final int which;

        StringTest(String function, Node s, Node t) {
            super(s, t);
            this.which = switch (function) {
                case "startsWith" -> 0;
                case "endsWith" -> 1;
                default -> 2;
            };
        }

        @Override
        Object eval(Frame f) {
            String x = a.string(f);
            String y = b.string(f);
            return switch (which) {
                case 0 -> x.startsWith(y);
                case 1 -> x.endsWith(y);
                default -> x.contains(y);
            };
        }

        @Override
        void emitBool(DirectCode c) {
            a.emitString(c);
            b.emitString(c);
            switch (which) {
                case 0 -> c.virtual(String.class, "startsWith", boolean.class, String.class);
                case 1 -> c.virtual(String.class, "endsWith", boolean.class, String.class);
                default -> c.virtual(String.class, "contains", boolean.class, CharSequence.class);
            }
        }
    }

    private static final class MakeList extends Node {
        private final Node[] elements;

        MakeList(Node[] elements) {
            this.elements = elements;
        }

        @Override
        Object eval(Frame f) {
            return list(values(elements, f));
        }

        @Override
        void emit(DirectCode c) {
            emitValues(elements, c);
            c.step("list", List.class, Object[].class);
        }
    }

    /** The values of {@code nodes}, in order. */
    private static Object[] values(Node[] nodes, Frame f) {
        Object[] out = new Object[nodes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = nodes[i].eval(f);
        }
        return out;
    }

    /** Code leaving {@link #values} of {@code nodes} on the stack, an {@code Object[]}. */
    private static void emitValues(Node[] nodes, DirectCode c) {
        c.constant(nodes.length).code().anewarray(ConstantDescs.CD_Object);
        for (int i = 0; i < nodes.length; i++) {
            c.code().dup();
            c.constant(i);
            nodes[i].emit(c);
            c.code().aastore();
        }
    }

    private static List<Object> list(Object[] values) {
        return Collections.unmodifiableList(java.util.Arrays.asList(values));
    }

    /** What a comprehension iterates, as cel-java's planner does: a list's elements, a map's keys. */
    private static Iterable<?> elements(Object range) {
        if (range instanceof List<?> l) {
            return l;
        }
        if (range instanceof Map<?, ?> m) {
            return m.keySet();
        }
        throw GIVE_UP;
    }

    /** What a comprehension iterates ({@link #elements}), as a list read by index: a pod's arrays as they are. */
    private static List<?> indexed(Object range) {
        if (range instanceof List<?> l && l instanceof RandomAccess) {
            return l;
        }
        List<Object> out = new ArrayList<>();
        for (Object x : elements(range)) {
            out.add(x);
        }
        return out;
    }

    /**
     * A comprehension, as cel-java's planner folds it, while the condition holds. Each
     * comprehension has slots of its own, and none is evaluated within itself: nothing to restore.
     */
    private static final class Fold extends Node {
        private final Node range;
        private final Node init;
        private final int accu;
        private final int iter;
        private final Node condition;
        private final Node step;
        private final Node result;

        Fold(Node range, Node init, int accu, int iter, Node condition, Node step, Node result) {
            this.range = range;
            this.init = init;
            this.accu = accu;
            this.iter = iter;
            this.condition = condition;
            this.step = step;
            this.result = result;
        }

        @Override
        Object eval(Frame f) {
            Iterable<?> elements = elements(range.eval(f));
            Object[] s = f.slots;
            s[accu] = init.eval(f);
            for (Object x : elements) {
                s[iter] = x;
                if (!condition.bool(f)) {
                    break;
                }
                s[accu] = step.eval(f);
            }
            return result.eval(f);
        }
    }

    /** {@code all} (true unless an element is false) and {@code exists} (false unless an element is true). */
    private static final class Quantifier extends Node implements Bool {
        private final Node range;
        private final int iter;
        private final Node predicate;
        private final boolean all;

        Quantifier(Node range, int iter, Node predicate, boolean all) {
            this.range = range;
            this.iter = iter;
            this.predicate = predicate;
            this.all = all;
        }

        /** The loop by index over {@link #indexed}, the element in its slot, that stops at the first element deciding it. */
        @Override
        Object eval(Frame f) {
            List<?> l = indexed(range.eval(f));
            for (int i = 0, n = l.size(); i < n; i++) {
                f.slots[iter] = l.get(i);
                // false decides all, true exists
                if (predicate.bool(f) != all) {
                    return !all;
                }
            }
            return all;
        }

        /** The same loop as code. */
        @Override
        void emitBool(DirectCode c) {
            int list = c.reference();
            int n = c.integer();
            int i = c.integer();
            Label loop = c.label();
            Label decided = c.label();
            Label undecided = c.label();
            Label end = c.label();
            range.emit(c);
            c.step("indexed", List.class, Object.class);
            c.code().astore(list).aload(list);
            c.onInterface(List.class, "size", int.class);
            c.code().istore(n).iconst_0().istore(i).labelBinding(loop).iload(i).iload(n).if_icmpge(undecided);
            c.slots().constant(iter);
            c.code().aload(list).iload(i);
            c.onInterface(List.class, "get", Object.class, int.class);
            c.code().aastore();
            predicate.emitBool(c);
            c.jumpIf(!all, decided);
            c.code().iinc(i, 1).goto_(loop)
                    .labelBinding(decided).loadConstant(all ? 0 : 1).goto_(end)
                    .labelBinding(undecided).loadConstant(all ? 1 : 0)
                    .labelBinding(end);
        }
    }

    /** {@code _+_}: two strings or two ints here, anything else by podguard's bindings. */
    private static final class Add extends Binary {
        private final Call other;

        Add(Node a, Node b, List<CelFunctionBinding> candidates) {
            super(a, b);
            this.other = new Call(new Node[] {a, b}, candidates);
        }

        @Override
        Object eval(Frame f) {
            Object x = a.eval(f);
            return sum(x, b.eval(f));
        }

        Object sum(Object x, Object y) {
            if (x instanceof String s && y instanceof String t) {
                return s.concat(t);
            }
            if (x instanceof Long s && y instanceof Long t) {
                long sum = s + t;
                if (((s ^ sum) & (t ^ sum)) < 0) {
                    throw GIVE_UP;
                }
                return sum;
            }
            return other.apply(new Object[] {x, y});
        }

        @Override
        void emit(DirectCode c) {
            c.constant(this, Add.class);
            emitBoth(c);
            c.virtual(Add.class, "sum", Object.class, Object.class, Object.class);
        }
    }

    /** A function of podguard's, by the one binding among the checker's overloads that takes the arguments. */
    private static final class Call extends Node {
        private final Node[] args;
        private final CelFunctionBinding[] candidates;
        /** Each candidate's argument types, as arrays. */
        private final Class<?>[][] types;

        Call(Node[] args, List<CelFunctionBinding> candidates) {
            this.args = args;
            this.candidates = candidates.toArray(CelFunctionBinding[]::new);
            this.types = candidates.stream().map(c -> c.getArgTypes().toArray(Class<?>[]::new)).toArray(Class<?>[][]::new);
        }

        @Override
        Object eval(Frame f) {
            return apply(values(args, f));
        }

        @Override
        void emit(DirectCode c) {
            c.constant(this, Call.class);
            emitValues(args, c);
            c.virtual(Call.class, "apply", Object.class, Object[].class);
        }

        Object apply(Object[] values) {
            CelFunctionBinding chosen = null;
            for (int i = 0; i < candidates.length; i++) {
                if (takes(types[i], values)) {
                    if (chosen != null) {
                        throw GIVE_UP;
                    }
                    chosen = candidates[i];
                }
            }
            if (chosen == null) {
                throw GIVE_UP;
            }
            Object v;
            try {
                v = chosen.getDefinition().apply(values);
            } catch (CelEvaluationException e) {
                throw GIVE_UP;
            }
            if (v == null || v instanceof Integer || v instanceof Float || v instanceof CelEvaluationException) {
                throw GIVE_UP;
            }
            return v;
        }

        private static boolean takes(Class<?>[] types, Object[] values) {
            if (types.length != values.length) {
                return false;
            }
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null || !types[i].isInstance(values[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
