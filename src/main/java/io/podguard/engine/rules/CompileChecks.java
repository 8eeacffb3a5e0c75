package io.podguard.engine.rules;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks the apiserver's CEL environment runs on a type-checked expression (cel-go's AST
 * validators, which Kubernetes enables from 1.29): literal durations and timestamps that do not
 * parse ({@code invalid duration argument}), a literal pattern of {@code matches} that does not
 * compile ({@code invalid matches argument}), list and map literals of mixed types
 * ({@code expected type 'int' but found 'string'}, except inside {@code format()}), and the
 * clauses of {@code format()} against the types of its arguments. Each finding names the
 * expression it is about.
 */
final class CompileChecks {

    /** One finding: its message and the expression it is about. */
    record Issue(long id, String message) {
    }

    /** cel-java evaluates the literal as cel-go does: duration(s) and timestamp(s) over the literal. */
    private static final Cel LITERALS = CelFactory.standardCelBuilder().addVar("s", SimpleType.STRING).build();
    private static final Map<String, dev.cel.runtime.CelRuntime.Program> CONVERSIONS = Map.of(
            "duration", program("duration(s)"), "timestamp", program("timestamp(s)"));

    private CompileChecks() {
    }

    private static dev.cel.runtime.CelRuntime.Program program(String expression) {
        try {
            return LITERALS.createProgram(LITERALS.compile(expression).getAst());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every finding of {@code ast}, in the order the apiserver's validators report them. */
    static List<Issue> check(CelAbstractSyntaxTree ast) {
        List<Issue> issues = new ArrayList<>(0);
        List<CelNavigableExpr> nodes = CelNavigableAst.fromAst(ast).getRoot().allNodes().toList();
        for (CelNavigableExpr node : nodes) {
            CelExpr e = node.expr();
            if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
                continue;
            }
            CelExpr.CelCall call = e.call();
            if (call.args().isEmpty() || call.args().getFirst().getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
                continue;
            }
            CelExpr literal = call.args().getFirst();
            String function = call.function();
            if ((function.equals("duration") || function.equals("timestamp")) && literal.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                try {
                    CONVERSIONS.get(function).eval(Map.of("s", literal.constant().stringValue()));
                } catch (Exception x) {
                    issues.add(new Issue(literal.id(), "invalid " + function + " argument"));
                }
            }
        }
        for (CelNavigableExpr node : nodes) {
            CelExpr e = node.expr();
            if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("matches") && !e.call().args().isEmpty()
                    && e.call().args().getFirst().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && e.call().args().getFirst().constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                try {
                    com.google.re2j.Pattern.compile(e.call().args().getFirst().constant().stringValue());
                } catch (com.google.re2j.PatternSyntaxException x) {
                    issues.add(new Issue(e.call().args().getFirst().id(), "invalid matches argument"));
                }
            }
        }
        homogeneous(ast, nodes, issues);
        for (CelNavigableExpr node : nodes) {
            format(ast, node, issues);
        }
        return issues;
    }

    /** cel-go's homogeneous aggregate literal validator: list elements, map keys and values of one type each. */
    private static void homogeneous(CelAbstractSyntaxTree ast, List<CelNavigableExpr> nodes, List<Issue> issues) {
        for (CelNavigableExpr node : nodes) {
            if (node.expr().getKind() != CelExpr.ExprKind.Kind.LIST || inFormat(node)) {
                continue;
            }
            CelExpr.CelList list = node.expr().list();
            CelType first = null;
            for (int i = 0; i < list.elements().size(); i++) {
                CelExpr element = list.elements().get(i);
                CelType t = type(ast, element.id());
                if (list.optionalIndices().contains(i) && !t.parameters().isEmpty()) {
                    t = t.parameters().getFirst();
                }
                if (first == null) {
                    first = t;
                } else if (!KubernetesTypes.equivalent(first, t)) {
                    issues.add(mismatch(element.id(), first, t));
                    break;
                }
            }
        }
        for (CelNavigableExpr node : nodes) {
            if (node.expr().getKind() != CelExpr.ExprKind.Kind.MAP || inFormat(node)) {
                continue;
            }
            CelType keyType = null;
            CelType valueType = null;
            for (CelExpr.CelMap.Entry entry : node.expr().map().entries()) {
                CelType k = type(ast, entry.key().id());
                CelType v = type(ast, entry.value().id());
                if (entry.optionalEntry() && !v.parameters().isEmpty()) {
                    v = v.parameters().getFirst();
                }
                if (keyType == null) {
                    keyType = k;
                    valueType = v;
                    continue;
                }
                if (!KubernetesTypes.equivalent(keyType, k)) {
                    issues.add(mismatch(entry.key().id(), keyType, k));
                }
                if (!KubernetesTypes.equivalent(valueType, v)) {
                    issues.add(mismatch(entry.value().id(), valueType, v));
                }
            }
        }
    }

    private static Issue mismatch(long id, CelType expected, CelType actual) {
        return new Issue(id, "expected type '" + KubernetesTypes.format(expected) + "' but found '" + KubernetesTypes.format(actual) + "'");
    }

    private static boolean inFormat(CelNavigableExpr node) {
        for (Optional<CelNavigableExpr> p = node.parent(); p.isPresent(); p = p.get().parent()) {
            if (p.get().expr().getKind() == CelExpr.ExprKind.Kind.CALL && p.get().expr().call().function().equals("format")) {
                return true;
            }
        }
        return false;
    }

    private static CelType type(CelAbstractSyntaxTree ast, long id) {
        return ast.getType(id).orElse(SimpleType.DYN);
    }

    // ---- format() (cel-go's stringFormatValidator) ----

    private static void format(CelAbstractSyntaxTree ast, CelNavigableExpr node, List<Issue> issues) {
        CelExpr e = node.expr();
        if (e.getKind() != CelExpr.ExprKind.Kind.CALL || !e.call().function().equals("format") || e.call().target().isEmpty()
                || e.call().args().size() != 1) {
            return;
        }
        CelExpr target = e.call().target().get();
        CelExpr args = e.call().args().getFirst();
        if (target.getKind() != CelExpr.ExprKind.Kind.CONSTANT || target.constant().getKind() != CelConstant.Kind.STRING_VALUE
                || args.getKind() != CelExpr.ExprKind.Kind.LIST) {
            return;
        }
        FormatChecker checker = new FormatChecker(ast, args.list().elements());
        try {
            StringFormat.parse(target.constant().stringValue(), checker, checker);
        } catch (StringFormat.FormatError x) {
            issues.add(new Issue(x.id >= 0 ? x.id : e.id(), x.getMessage()));
            return;
        }
        if (args.list().elements().size() > checker.requested) {
            issues.add(new Issue(e.id(), "too many arguments supplied to string.format (expected " + checker.requested + ", got "
                    + args.list().elements().size() + ")"));
        }
    }

    /** The clauses checked against the static types of a list literal's elements. */
    private static final class FormatChecker implements StringFormat.Clauses, StringFormat.Args {
        private final CelAbstractSyntaxTree ast;
        private final List<CelExpr> args;
        private int requested;
        private int current;

        FormatChecker(CelAbstractSyntaxTree ast, List<CelExpr> args) {
            this.ast = ast;
            this.args = args;
        }

        @Override
        public Object arg(int index) {
            requested++;
            current = index;
            return 0L;
        }

        @Override
        public int size() {
            return args.size();
        }

        private CelExpr currentArg() {
            return args.get(current);
        }

        private void require(String what, Set<CelKind> kinds) throws StringFormat.FormatError {
            CelExpr arg = currentArg();
            CelType t = type(ast, arg.id());
            if (t.kind() != CelKind.DYN && !kinds.contains(t.kind())) {
                throw new StringFormat.FormatError(arg.id(), what + typeName(t));
            }
        }

        @Override
        public String string(Object ignored) throws StringFormat.FormatError {
            long bad = verifyString(currentArg());
            if (bad >= 0) {
                throw new StringFormat.FormatError(bad, "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, "
                        + "types, durations, and timestamps, was given " + typeName(type(ast, bad)));
            }
            return "";
        }

        /** The id of the first element that %s cannot write, or -1. */
        private long verifyString(CelExpr e) {
            CelType t = type(ast, e.id());
            if (t.kind() != CelKind.DYN && !STRINGABLE.contains(t.kind())) {
                return e.id();
            }
            if (e.getKind() == CelExpr.ExprKind.Kind.LIST) {
                for (CelExpr element : e.list().elements()) {
                    long bad = verifyString(element);
                    if (bad >= 0) {
                        return bad;
                    }
                }
            } else if (e.getKind() == CelExpr.ExprKind.Kind.MAP) {
                for (CelExpr.CelMap.Entry entry : e.map().entries()) {
                    long bad = verifyString(entry.key());
                    if (bad < 0) {
                        bad = verifyString(entry.value());
                    }
                    if (bad >= 0) {
                        return bad;
                    }
                }
            }
            return -1;
        }

        @Override
        public String decimal(Object ignored) throws StringFormat.FormatError {
            require("decimal clause can only be used on integers, was given ", Set.of(CelKind.INT, CelKind.UINT));
            return "";
        }

        @Override
        public String fixed(Object ignored, Integer precision) throws StringFormat.FormatError {
            require("fixed-point clause can only be used on doubles, was given ", Set.of(CelKind.DOUBLE, CelKind.STRING));
            return "";
        }

        @Override
        public String scientific(Object ignored, Integer precision) throws StringFormat.FormatError {
            require("scientific clause can only be used on doubles, was given ", Set.of(CelKind.DOUBLE, CelKind.STRING));
            return "";
        }

        @Override
        public String binary(Object ignored) throws StringFormat.FormatError {
            require("only integers and bools can be formatted as binary, was given ", Set.of(CelKind.INT, CelKind.UINT, CelKind.BOOL));
            return "";
        }

        @Override
        public String hex(Object ignored, boolean upper) throws StringFormat.FormatError {
            require("only integers, byte buffers, and strings can be formatted as hex, was given ",
                    Set.of(CelKind.INT, CelKind.UINT, CelKind.STRING, CelKind.BYTES));
            return "";
        }

        @Override
        public String octal(Object ignored) throws StringFormat.FormatError {
            require("octal clause can only be used on integers, was given ", Set.of(CelKind.INT, CelKind.UINT));
            return "";
        }
    }

    private static final Set<CelKind> STRINGABLE = Set.of(CelKind.LIST, CelKind.MAP, CelKind.INT, CelKind.UINT, CelKind.DOUBLE,
            CelKind.BOOL, CelKind.STRING, CelKind.TIMESTAMP, CelKind.BYTES, CelKind.DURATION, CelKind.TYPE, CelKind.NULL_TYPE);

    /** cel-go's {@code TypeName()}: the type's name without its parameters. */
    static String typeName(CelType t) {
        return switch (t.kind()) {
            case LIST -> "list";
            case MAP -> "map";
            case TYPE -> "type";
            default -> {
                String f = KubernetesTypes.format(t);
                int paren = f.indexOf('(');
                yield paren < 0 ? f : f.substring(0, paren);
            }
        };
    }
}
