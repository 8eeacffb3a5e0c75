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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The CEL environment of Kubernetes' admission policies, as a 1.37 apiserver compiles a new
 * ValidatingAdmissionPolicy (k8s.io/apiserver's {@code environment.MustBaseEnvSet} at its default
 * compatibility version, 1.36, with the variables of {@code plugin/cel.CompileCELExpression}), on
 * cel-java: the standard library and macros, optional types, cross-type numeric comparison, the
 * {@code strings} (version 2, with {@code format}), {@code sets}, {@code lists} and
 * two-variable comprehension extensions, the Kubernetes libraries (lists, regex, URLs,
 * quantity, IP, CIDR, format, semver) and the apiserver's AST validators. The variables:
 * {@code object}, {@code oldObject}, {@code request} (a {@code kubernetes.AdmissionRequest}),
 * {@code namespaceObject} (a {@code kubernetes.Namespace}) and {@code variables} (typed per
 * policy, {@link KubernetesTypes}); no {@code params} (podguard refuses {@code paramKind}).
 * {@code authorizer} is refused: podguard judges without the apiserver.
 *
 * <p>Programs run on cel-java's planner (overloads, variables and field chains resolved once per
 * program), but for the few expressions it would judge otherwise, which run on cel-java's
 * interpreter ({@link #plannable}). Every evaluation is metered by {@link CostTracker} against
 * the apiserver's per-expression limit. Built once; thread-safe.
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
    /** The longest expression of podguard's own rules (a ValidatingAdmissionPolicy's have no limit, as in the apiserver). */
    public static final int MAX_EXPRESSION_LENGTH = 5 * 1024;

    /** cel-go's options as Kubernetes sets them; homogeneous literals are {@link CompileChecks}' (with format()'s exemption). */
    private static final CelOptions OPTIONS = CelOptions.current()
            .enableOptionalSyntax(true)
            .enableHeterogeneousNumericComparisons(true)
            .enableUnsignedLongs(true)
            .enableTimestampEpoch(true)
            .maxParseRecursionDepth(250)
            .build();

    private static final KubernetesCel INSTANCE = new KubernetesCel();

    /** What the programs are compiled in: generic list functions, the variables as maps. */
    private final Cel programs;
    /**
     * What the programs run on: cel-java's planner, which resolves each call's overload, each
     * variable and each field once when the program is built, where the interpreter looked
     * them up in the checked tree on every evaluation (a rule costs a fourth of what it did).
     */
    private final CelRuntime planner;
    /** What expressions are checked in, typed as the apiserver types them: without, and with, {@code variables}. */
    private final Cel checker;
    private final Cel checkerWithVariables;
    /** The planner's bindings of podguard's functions and of the strings extension's, by overload id, for {@link DirectProgram}. */
    private final Map<String, CelFunctionBinding> direct;

    private KubernetesCel() {
        this.programs = environment(false, false);
        this.planner = plannerRuntime(functionNames(programs));
        this.direct = directBindings();
        this.checker = environment(true, false);
        this.checkerWithVariables = environment(true, true);
    }

    /** The functions of one environment: declarations and their bindings. */
    private record Functions(List<CelFunctionDecl> decls, List<CelFunctionBinding> bindings) {
    }

    private static Functions functions(boolean typed) {
        return functions(typed, GoConversions.bindings());
    }

    private static Functions functions(boolean typed, List<CelFunctionBinding> conversions) {
        List<CelFunctionDecl> decls = new ArrayList<>();
        List<CelFunctionBinding> bindings = new ArrayList<>();
        decls.addAll(typed ? KubernetesLists.typedDeclarations() : KubernetesLists.declarations());
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
        decls.addAll(StringFormat.declarations());
        bindings.addAll(StringFormat.bindings());
        decls.addAll(CelGoFunctions.declarations());
        bindings.addAll(CelGoFunctions.bindings());
        bindings.addAll(conversions);
        // lists.range allocates its whole list before any cost is counted: a bounded one of our own
        decls.add(CelFunctionDecl.newFunctionDeclaration("lists.range",
                CelOverloadDecl.newGlobalOverload("podguard_lists_range", ListType.create(SimpleType.INT), SimpleType.INT)));
        bindings.add(CelFunctionBinding.from("podguard_lists_range", Long.class, KubernetesCel::range));
        return new Functions(decls, bindings);
    }

    private static Cel environment(boolean typed, boolean withVariables) {
        Functions functions = functions(typed);
        List<CelFunctionDecl> decls = functions.decls();
        List<CelFunctionBinding> bindings = functions.bindings();

        var strings = CelExtensions.strings(EnumSet.complementOf(EnumSet.of(CelStringExtensions.Function.REVERSE)));
        // the checker declares sort() per element type, as cel-go (KubernetesLists); the programs keep cel-java's
        var lists = CelExtensions.lists(EnumSet.complementOf(typed ? EnumSet.of(CelListsExtensions.Function.RANGE, CelListsExtensions.Function.SORT)
                : EnumSet.of(CelListsExtensions.Function.RANGE)));
        var sets = CelExtensions.sets(OPTIONS, EnumSet.allOf(SetsFunction.class));
        var optional = CelExtensions.optional();
        var comprehensions = CelExtensions.comprehensions();
        var builder = CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                // the standard library, with Go's conversions of strings (GoConversions) instead of cel-java's
                .setStandardEnvironmentEnabled(false)
                .setStandardDeclarations(dev.cel.checker.CelStandardDeclarations.newBuilder().build())
                .setStandardFunctions(GoConversions.standardFunctions())
                .setTypeProvider(KubernetesTypes.PROVIDER)
                .addCompilerLibraries(strings, lists, sets, optional, comprehensions)
                .addRuntimeLibraries(strings, lists, sets, optional, comprehensions)
                .addFunctionDeclarations(decls)
                .addFunctionBindings(bindings)
                .addVar("object", SimpleType.DYN)
                .addVar("oldObject", SimpleType.DYN);
        if (typed) {
            builder.addFunctionDeclarations(KubernetesAuthz.declarations());
            // as the apiserver declares them for a policy without paramKind: no params
            builder.addVar("request", KubernetesTypes.ADMISSION_REQUEST)
                    .addVar("namespaceObject", KubernetesTypes.NAMESPACE);
            if (withVariables) {
                builder.addVar("variables", KubernetesTypes.VARIABLES_REFERENCE);
            }
        } else {
            MapType any = MapType.create(SimpleType.STRING, SimpleType.DYN);
            builder.addVar("params", SimpleType.DYN)
                    .addVar("request", any)
                    .addVar("namespaceObject", any)
                    .addVar("variables", any);
        }
        return builder.build();
    }

    /**
     * The planner runtime of the programs: the environment of {@link #environment(boolean, boolean)}
     * untyped. The planner finds the overload of a call the checker could not choose (an argument
     * of type {@code dyn}) by the function's name, so each function's bindings are grouped under
     * its name ({@link PlannerBindings}).
     */
    private static CelRuntime plannerRuntime(Map<String, String> functionOf) {
        Functions functions = functions(false, PlannerBindings.replacements(OPTIONS));
        var strings = CelExtensions.strings(EnumSet.complementOf(EnumSet.of(CelStringExtensions.Function.REVERSE)));
        var lists = CelExtensions.lists(EnumSet.complementOf(EnumSet.of(CelListsExtensions.Function.RANGE)));
        var sets = CelExtensions.sets(OPTIONS, EnumSet.allOf(SetsFunction.class));
        var optional = CelExtensions.optional();
        var comprehensions = CelExtensions.comprehensions();
        return dev.cel.runtime.CelRuntimeFactory.plannerRuntimeBuilder()
                .setOptions(OPTIONS)
                .setStandardFunctions(PlannerBindings.standardFunctions())
                .setTypeProvider(KubernetesTypes.PROVIDER)
                .addLibraries(strings, lists, sets, optional, comprehensions)
                .addFunctionBindings(PlannerBindings.grouped(functionOf, plannerBindings(functions.bindings(), strings), List.of(strings)))
                .build();
    }

    /**
     * The bindings the planner runtime calls for podguard's functions and the strings extension's (the
     * first of an overload id wins, as in {@link #plannerBindings}); cel-java's standard functions
     * are not among them ({@link DirectProgram} evaluates those it knows itself).
     */
    private static Map<String, CelFunctionBinding> directBindings() {
        Functions functions = functions(false, PlannerBindings.replacements(OPTIONS));
        var strings = CelExtensions.strings(EnumSet.complementOf(EnumSet.of(CelStringExtensions.Function.REVERSE)));
        List<CelFunctionBinding> all = new ArrayList<>(plannerBindings(functions.bindings(), strings));
        all.addAll(PlannerBindings.bindingsOf(strings));
        Map<String, CelFunctionBinding> out = new java.util.HashMap<>();
        for (CelFunctionBinding b : all) {
            out.putIfAbsent(b.getOverloadId(), b);
        }
        return Map.copyOf(out);
    }

    /**
     * podguard's bindings, and those of the strings extension's that {@link StringIndexes}
     * replaces (bound before the extension's, they win); first, so that a call on a {@code dyn}
     * string tries them before the list functions of the same names.
     */
    private static List<CelFunctionBinding> plannerBindings(List<CelFunctionBinding> bindings, dev.cel.runtime.CelRuntimeLibrary strings) {
        List<CelFunctionBinding> out = new ArrayList<>(StringIndexes.bindings(strings));
        out.addAll(bindings);
        return out;
    }

    public static KubernetesCel get() {
        return INSTANCE;
    }

    /** What an expression must evaluate to: exactly, as the apiserver checks ({@code dyn} is not {@code bool}). */
    public enum Result {
        BOOL, STRING, STRING_OR_NULL, ANY
    }

    /**
     * What an expression may read besides {@code object}, {@code oldObject}, {@code request} and
     * {@code namespaceObject}.
     *
     * @param variables the {@code variables} before it, name to type, in order; null: no
     *     {@code variables} at all (a policy without variables, a match condition)
     * @param authorizer whether the apiserver would declare {@code authorizer} here (everywhere
     *     but in message expressions): podguard refuses it then with its reason, else as CEL does
     */
    public record Scope(@Nullable Map<String, CelType> variables, boolean authorizer) {

        /** No variables; the authorizer declared (validations, match conditions). */
        public static final Scope NONE = new Scope(null, true);

        public Scope {
            variables = variables == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variables));
        }

        /** The variables declared before; null: none declared at all. */
        public static Scope of(@Nullable Map<String, CelType> variables) {
            return new Scope(variables, true);
        }

        /** This scope without the authorizer (a message expression's). */
        public Scope withoutAuthorizer() {
            return new Scope(variables, false);
        }
    }

    /**
     * Compiles {@code expression} as the apiserver compiles a new policy's: parsed, type-checked
     * in the typed environment of {@code scope}, checked by the apiserver's AST validators,
     * its type exactly {@code result}.
     *
     * @throws CelRuleException with CEL's message ({@code ERROR: <input>:1:1: undeclared reference to 'objct' …})
     */
    public CompiledExpression compile(String expression, Scope scope, Result result) {
        CelValidationResult compiled = scope.variables() == null ? checker.compile(expression)
                : KubernetesTypes.withVariables(scope.variables(), () -> checkerWithVariables.compile(expression));
        if (compiled.hasError()) {
            String errors = compiled.getErrorString();
            if (scope.authorizer() && errors.contains("undeclared reference to 'authorizer'")) {
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
        List<CompileChecks.Issue> issues = new ArrayList<>(CompileChecks.check(ast));
        if (!issues.isEmpty()) {
            // as cel-go reports them: in the order of their positions
            issues.sort(java.util.Comparator.comparingInt(i -> ast.getSource().getPositionsMap().getOrDefault(i.id(), 0)));
            List<String> lines = new ArrayList<>();
            for (CompileChecks.Issue i : issues) {
                lines.add("ERROR: <input>:" + position(ast, i.id()) + ": " + i.message() + snippet(expression, ast, i.id()));
            }
            throw new CelRuleException("compilation failed: " + String.join("\n", lines));
        }
        checkRegexLiterals(ast);
        checkConstantConversions(ast);
        CelType type = ast.getResultType();
        boolean ok = switch (result) {
            case BOOL -> type.kind() == CelKind.BOOL;
            case STRING -> type.kind() == CelKind.STRING;
            case STRING_OR_NULL -> type.kind() == CelKind.STRING || type.kind() == CelKind.NULL_TYPE;
            case ANY -> true;
        };
        if (!ok) {
            String want = switch (result) {
                case BOOL -> "must evaluate to bool";
                case STRING -> "must evaluate to string";
                default -> "must evaluate to one of [string null_type]";
            };
            throw new CelRuleException(want + " but got " + KubernetesTypes.format(type));
        }
        try {
            CelAbstractSyntaxTree run = programAst(expression, ast);
            java.util.Set<Long> folded = ConstantFolding.folded(run);
            java.util.Set<Long> untracked = ConstantFolding.untracked(ast);
            boolean planned = plannable(run);
            CostMarks marks = CostMarks.of(run, folded, untracked, planned);
            return new CompiledExpression(expression, planned ? planner.createProgram(run) : programs.createProgram(run), type, folded,
                    untracked, marks, CostBound.of(run, marks), run, planned ? DirectProgram.of(run, direct) : null);
        } catch (CelEvaluationException | CelValidationException e) {
            throw new CelRuleException("program instantiation failed: " + e.getMessage());
        }
    }

    /**
     * Whether cel-java's planner runs {@code checked} as cel-go does; else cel-java's interpreter
     * runs it. Two things the planner does otherwise: it refuses a map whose key is not a string,
     * an int, a uint or a bool ({@code {1.5: 'a'}}), which cel-go makes; and its {@code type()}
     * knows no Kubernetes library type ({@code type(ip('10.0.0.1')) == net.IP} is false). An
     * expression with a map literal whose key the checker does not type as one of those, or with
     * a call of {@code type()}, runs on the interpreter.
     */
    private static boolean plannable(CelAbstractSyntaxTree checked) {
        return CelNavigableAst.fromAst(checked).getRoot().allNodes().map(CelNavigableExpr::expr).allMatch(e -> switch (e.getKind()) {
            case MAP -> e.map().entries().stream().allMatch(entry -> checked.getType(entry.key().id()).map(t -> switch (t.kind()) {
                case STRING, INT, UINT, BOOL -> true;
                default -> false;
            }).orElse(false));
            case CALL -> !(e.call().function().equals("type") && e.call().target().isEmpty());
            default -> true;
        });
    }

    /**
     * The tree a checked expression runs as: itself, unless it calls a list function the
     * checker declares per element type (then compiled again with the generic ones).
     */
    private CelAbstractSyntaxTree programAst(String expression, CelAbstractSyntaxTree checked) throws CelValidationException {
        boolean retyped = CelNavigableAst.fromAst(checked).getRoot().allNodes()
                .anyMatch(n -> n.expr().getKind() == CelExpr.ExprKind.Kind.CALL && KubernetesLists.isRetyped(n.expr().call().function()));
        return retyped ? programs.compile(expression).getAst() : checked;
    }

    /**
     * One overload the checker declares, its types as cel-go writes them.
     *
     * @param member called as {@code target.name(args)}: the target is the first of {@code args}
     */
    public record Overload(String name, String id, boolean member, List<String> args, String result) {
    }

    /** Every overload id {@code env} declares, to its function's name. */
    private static Map<String, String> functionNames(Cel env) {
        Map<String, String> out = new java.util.HashMap<>();
        ((dev.cel.common.internal.EnvVisitable) env).accept(new dev.cel.common.internal.EnvVisitor() {
            @Override
            public void visitDecl(String name, List<dev.cel.expr.Decl> decls) {
                for (dev.cel.expr.Decl d : decls) {
                    if (d.hasFunction()) {
                        d.getFunction().getOverloadsList().forEach(o -> out.put(o.getOverloadId(), name));
                    }
                }
            }

            @Override
            public void visitMacro(dev.cel.parser.CelMacro macro) {
            }
        });
        // the overload cel-java binds of bool(bool), which podguard's planner binds instead (GoConversions)
        out.putIfAbsent("bool_to_bool", "bool");
        return out;
    }

    /** Every function overload the checker declares, for the comparison with the apiserver's (CelFunctionsDifferentialIT). */
    public List<Overload> declarations() {
        List<Overload> out = new ArrayList<>();
        ((dev.cel.common.internal.EnvVisitable) checker).accept(new dev.cel.common.internal.EnvVisitor() {
            @Override
            public void visitDecl(String name, List<dev.cel.expr.Decl> decls) {
                for (dev.cel.expr.Decl d : decls) {
                    if (!d.hasFunction()) {
                        continue;
                    }
                    for (dev.cel.expr.Decl.FunctionDecl.Overload o : d.getFunction().getOverloadsList()) {
                        List<String> args = new ArrayList<>();
                        o.getParamsList().forEach(p -> args.add(KubernetesTypes.format(dev.cel.common.types.CelProtoTypes.typeToCelType(p))));
                        out.add(new Overload(name, o.getOverloadId(), o.getIsInstanceFunction(), args,
                                KubernetesTypes.format(dev.cel.common.types.CelProtoTypes.typeToCelType(o.getResultType()))));
                    }
                }
            }

            @Override
            public void visitMacro(dev.cel.parser.CelMacro macro) {
            }
        });
        return out;
    }

    /**
     * cel-go converts a constant when it builds the program ({@code int('x')} is refused then,
     * {@code program instantiation failed: type conversion error from 'string' to 'int'}), as
     * the apiserver's program options ask: each outermost conversion of a constant is evaluated here.
     */
    private void checkConstantConversions(CelAbstractSyntaxTree ast) {
        Set<Long> folded = ConstantFolding.folded(ast);
        if (folded.isEmpty()) {
            return;
        }
        for (CelNavigableExpr node : CelNavigableAst.fromAst(ast).getRoot().allNodes().toList()) {
            CelExpr e = node.expr();
            if (e.getKind() != CelExpr.ExprKind.Kind.CALL || !folded.contains(e.id())
                    || node.parent().map(p -> folded.contains(p.expr().id())).orElse(false)) {
                continue;
            }
            try {
                CelAbstractSyntaxTree sub = CelAbstractSyntaxTree.newCheckedAst(e, ast.getSource(), ast.getReferenceMap(), ast.getTypeMap());
                (plannable(sub) ? planner.createProgram(sub) : programs.createProgram(sub)).eval(java.util.Map.of());
            } catch (CelEvaluationException | RuntimeException x) {
                throw new CelRuleException("program instantiation failed: " + CelErrors.message(x, ""));
            }
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

    /** CEL's pointer under an error: the line, and a caret under the column ({@code \n | [1, 'a']\n | ....^}). */
    private static String snippet(String expression, CelAbstractSyntaxTree ast, long id) {
        Integer offset = ast.getSource().getPositionsMap().get(id);
        if (offset == null) {
            return "";
        }
        return ast.getSource().getOffsetLocation(offset).map(l -> {
            String[] lines = expression.split("\n", -1);
            String line = l.getLine() - 1 < lines.length ? lines[l.getLine() - 1] : "";
            return "\n | " + line + "\n | " + ".".repeat(l.getColumn()) + "^";
        }).orElse("");
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
        return evaluate(expression, vars, limit, true);
    }

    /**
     * Evaluates {@code expression} with {@code vars}, metered against {@code limit}, or, when
     * {@code tracked} is false, without the cost tracker (cel-java's evaluation listener, a call
     * on every node): only for an expression whose {@link CostBound} proves the limit cannot be
     * reached; its cost is then 0.
     */
    Outcome evaluate(CompiledExpression expression, CelVariableResolver vars, long limit, boolean tracked) {
        if (!tracked && expression.marks().planned()) {
            try {
                return new Outcome(expression.evalUntracked(vars), null, 0);
            } catch (CelEvaluationException | RuntimeException e) {
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    if (cause instanceof LazyVariables.VariableFailed v) {
                        return new Outcome(null, v.getMessage(), 0, v.outOfBudget());
                    }
                }
                return new Outcome(null, CelErrors.message(e, expression.source()), 0);
            }
        }
        CostTracker tracker = new CostTracker(limit, expression.marks());
        List<String> unbound = new ArrayList<>(0);
        // the interpreter answers an unbound variable with an unknown, which names none: recorded here
        // (the planner fails with their names)
        CelVariableResolver recording = expression.marks().planned() ? vars : name -> {
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
