package io.podguard.engine.rules;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelListsExtensions;
import dev.cel.extensions.CelStringExtensions;
import dev.cel.extensions.SetsFunction;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The CEL environment of Kubernetes' admission policies (k8s.io/apiserver's
 * {@code environment.MustBaseEnvSet} at 1.37 with the variables of
 * {@code plugin/cel.CompileCELExpression}), on cel-java: the standard library and macros,
 * optional types, cross-type numeric comparison, homogeneous literals, the {@code strings}
 * (version 2), {@code sets}, {@code lists} and two-variable comprehension extensions, and the
 * Kubernetes libraries (lists, regex, URLs, quantity, IP, CIDR, format, semver). The variables:
 * {@code object}, {@code oldObject}, {@code request}, {@code namespaceObject}, {@code params} and
 * {@code variables}. {@code authorizer} is refused: podguard judges without the apiserver.
 *
 * <p>Every evaluation is metered by {@link CostTracker} against the apiserver's per-expression
 * limit. Built once; thread-safe.
 */
public final class KubernetesCel {

    /** The apiserver's per-expression runtime cost limit ({@code celconfig.PerCallLimit}). */
    public static final long PER_CALL_LIMIT = 1_000_000;
    /** The apiserver's cost budget for one binding's validations ({@code celconfig.RuntimeCELCostBudget}). */
    public static final long RUNTIME_BUDGET = 10_000_000;
    /** The apiserver's cost budget for one binding's match conditions. */
    public static final long MATCH_CONDITIONS_BUDGET = 2_500_000;
    /** The longest message a messageExpression may produce ({@code MaxEvaluatedMessageExpressionSizeBytes}). */
    public static final int MAX_MESSAGE_BYTES = 5 * 1024;
    /** The longest expression podguard compiles (the apiserver's limit on a VAP expression field). */
    public static final int MAX_EXPRESSION_LENGTH = 5 * 1024;

    @SuppressWarnings("deprecation") // homogeneous literals: cel-go's HomogeneousAggregateLiterals, which Kubernetes enables
    private static final CelOptions OPTIONS = CelOptions.current()
            .enableOptionalSyntax(true)
            .enableHomogeneousLiterals(true)
            .enableHeterogeneousNumericComparisons(true)
            .enableUnsignedLongs(true)
            .enableTimestampEpoch(true)
            .maxParseRecursionDepth(250)
            .build();

    private static final KubernetesCel INSTANCE = new KubernetesCel();

    private final Cel cel;

    private KubernetesCel() {
        List<CelFunctionDecl> decls = new ArrayList<>();
        List<CelFunctionBinding> bindings = new ArrayList<>();
        decls.addAll(KubernetesLists.declarations());
        bindings.addAll(KubernetesLists.bindings());
        decls.addAll(KubernetesRegex.declarations());
        bindings.addAll(KubernetesRegex.bindings());
        decls.addAll(KubernetesUrls.declarations());
        bindings.addAll(KubernetesUrls.bindings());
        decls.addAll(KubernetesQuantity.declarations());
        bindings.addAll(KubernetesQuantity.bindings());
        decls.addAll(KubernetesIps.declarations());
        bindings.addAll(KubernetesIps.bindings());
        decls.addAll(KubernetesFormats.declarations());
        bindings.addAll(KubernetesFormats.bindings());
        decls.addAll(KubernetesSemver.declarations());
        bindings.addAll(KubernetesSemver.bindings());
        // lists.range allocates its whole list before any cost is counted: a bounded one of our own
        decls.add(CelFunctionDecl.newFunctionDeclaration("lists.range",
                CelOverloadDecl.newGlobalOverload("podguard_lists_range", ListType.create(SimpleType.INT), SimpleType.INT)));
        bindings.add(CelFunctionBinding.from("podguard_lists_range", Long.class, KubernetesCel::range));

        var strings = CelExtensions.strings(EnumSet.complementOf(EnumSet.of(CelStringExtensions.Function.REVERSE)));
        var lists = CelExtensions.lists(EnumSet.complementOf(EnumSet.of(CelListsExtensions.Function.RANGE)));
        var sets = CelExtensions.sets(OPTIONS, EnumSet.allOf(SetsFunction.class));
        var optional = CelExtensions.optional();
        var comprehensions = CelExtensions.comprehensions();
        this.cel = CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(strings, lists, sets, optional, comprehensions)
                .addRuntimeLibraries(strings, lists, sets, optional, comprehensions)
                .addFunctionDeclarations(decls)
                .addFunctionBindings(bindings)
                .addVar("object", SimpleType.DYN)
                .addVar("oldObject", SimpleType.DYN)
                .addVar("params", SimpleType.DYN)
                .addVar("request", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("namespaceObject", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar("variables", MapType.create(SimpleType.STRING, SimpleType.DYN))
                .build();
    }

    public static KubernetesCel get() {
        return INSTANCE;
    }

    /** What an expression must evaluate to. */
    public enum Result {
        BOOL, STRING, STRING_OR_NULL, ANY
    }

    /**
     * Compiles {@code expression}; {@code variables} are the names it may read as {@code variables.NAME}.
     *
     * @throws CelRuleException with CEL's message ({@code ERROR: <input>:1:1: undeclared reference to 'objct' …})
     */
    public CompiledExpression compile(String expression, Set<String> variables, Result result) {
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            throw new CelRuleException("expression is " + expression.length() + " characters long, the limit is " + MAX_EXPRESSION_LENGTH);
        }
        CelValidationResult compiled = cel.compile(expression);
        if (compiled.hasError()) {
            String errors = compiled.getErrorString();
            if (errors.contains("undeclared reference to 'authorizer'")) {
                throw new CelRuleException("authorizer is not available: podguard judges objects without the apiserver's authorizer");
            }
            throw new CelRuleException("compilation failed: " + CelErrors.compileMessage(errors));
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = compiled.getAst();
        } catch (CelValidationException e) {
            throw new CelRuleException("compilation failed: " + e.getMessage());
        }
        checkVariables(ast, variables);
        checkRegexLiterals(ast);
        CelType type = ast.getResultType();
        boolean ok = switch (result) {
            case BOOL -> type.kind() == CelKind.BOOL || type.kind() == CelKind.DYN;
            case STRING -> type.kind() == CelKind.STRING || type.kind() == CelKind.DYN;
            case STRING_OR_NULL -> type.kind() == CelKind.STRING || type.kind() == CelKind.DYN || type.kind() == CelKind.NULL_TYPE;
            case ANY -> true;
        };
        if (!ok) {
            String want = switch (result) {
                case BOOL -> "bool";
                case STRING -> "string";
                default -> "one of [string null_type]";
            };
            throw new CelRuleException("must evaluate to " + want + " but got " + type.name());
        }
        try {
            return new CompiledExpression(expression, cel.createProgram(ast), type);
        } catch (CelEvaluationException e) {
            throw new CelRuleException("program instantiation failed: " + e.getMessage());
        }
    }

    /** cel-go types {@code variables} as an object of the declared names: any other name is a compile error. */
    private static void checkVariables(CelAbstractSyntaxTree ast, Set<String> variables) {
        List<String> errors = new ArrayList<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(node -> {
            CelExpr e = node.expr();
            if (e.getKind() == CelExpr.ExprKind.Kind.SELECT) {
                CelExpr operand = e.select().operand();
                if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT && operand.ident().name().equals("variables")
                        && !variables.contains(e.select().field())) {
                    errors.add("ERROR: <input>:" + position(ast, e.id())
                            + ": undefined field '" + e.select().field() + "'");
                }
            }
        });
        if (!errors.isEmpty()) {
            throw new CelRuleException("compilation failed: " + String.join("\n", errors));
        }
    }

    /** The apiserver compiles a literal pattern of find() and findAll() when it builds the program. */
    private static void checkRegexLiterals(CelAbstractSyntaxTree ast) {
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(node -> {
            CelExpr e = node.expr();
            if (e.getKind() == CelExpr.ExprKind.Kind.CALL && (e.call().function().equals("find") || e.call().function().equals("findAll"))
                    && e.call().target().isPresent() && !e.call().args().isEmpty()
                    && e.call().args().getFirst().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && e.call().args().getFirst().constant().getKind() == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
                try {
                    com.google.re2j.Pattern.compile(e.call().args().getFirst().constant().stringValue());
                } catch (com.google.re2j.PatternSyntaxException x) {
                    throw new CelRuleException("program instantiation failed: " + x.getMessage());
                }
            }
        });
    }

    private static String position(CelAbstractSyntaxTree ast, long id) {
        Integer offset = ast.getSource().getPositionsMap().get(id);
        if (offset == null) {
            return "1:1";
        }
        return ast.getSource().getOffsetLocation(offset).map(l -> l.getLine() + ":" + (l.getColumn() + 1)).orElse("1:1");
    }

    /**
     * Evaluates {@code expression} with {@code vars}, metered against {@code limit}.
     *
     * @return the value, or the error as the apiserver words it
     */
    public Outcome evaluate(CompiledExpression expression, CelVariableResolver vars, long limit) {
        CostTracker tracker = new CostTracker(limit);
        List<String> unbound = new ArrayList<>(0);
        CelVariableResolver recording = name -> {
            Optional<Object> v = vars.find(name);
            if (v.isEmpty() && !unbound.contains(name)) {
                unbound.add(name);
            }
            return v;
        };
        try {
            Object value = expression.program().trace(recording, tracker);
            if (value instanceof dev.cel.runtime.CelUnknownSet) {
                return new Outcome(null, "no such attribute(s): " + String.join(", ", unbound), tracker.cost());
            }
            return new Outcome(value, null, tracker.cost());
        } catch (CelEvaluationException | RuntimeException e) {
            // cel-java wraps what the listener or a variable throws: find it in the causes
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof CostTracker.LimitExceeded) {
                    return new Outcome(null, CostTracker.LIMIT_EXCEEDED, tracker.cost(), true);
                }
                if (cause instanceof LazyVariables.VariableFailed v) {
                    return new Outcome(null, v.getMessage(), tracker.cost(), v.outOfBudget());
                }
            }
            return new Outcome(null, CelErrors.message(e, expression.source()), tracker.cost());
        }
    }

    /**
     * One evaluation: a value or an error, and its cost.
     *
     * @param outOfBudget the cost limit stopped it
     */
    public record Outcome(Object value, String error, long cost, boolean outOfBudget) {
        Outcome(Object value, String error, long cost) {
            this(value, error, cost, false);
        }

        public boolean failed() {
            return error != null;
        }
    }

    /** The variable names of a resolver over {@code values} (absent ones are unbound, which CEL reports). */
    public static CelVariableResolver resolver(java.util.Map<String, ?> values) {
        return name -> Optional.ofNullable(values.get(name));
    }

    private static List<Long> range(long n) throws CelEvaluationException {
        if (n > PER_CALL_LIMIT) {
            throw new CelEvaluationException(CostTracker.LIMIT_EXCEEDED);
        }
        List<Long> out = new ArrayList<>((int) Math.max(0, n));
        for (long i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }


}
