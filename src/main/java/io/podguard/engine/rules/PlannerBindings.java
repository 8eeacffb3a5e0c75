package io.podguard.engine.rules;

import dev.cel.common.CelOptions;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.standard.AddOperator;
import dev.cel.runtime.standard.BoolFunction;
import dev.cel.runtime.CelRuntimeBuilder;
import dev.cel.runtime.CelRuntimeLibrary;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * podguard's function bindings as cel-java's planner needs them. The planner resolves a call
 * by its overload when the checker chose one, and otherwise (an argument of type {@code dyn},
 * as every field of {@code object} is) by the function's name, through a binding registered
 * under that name that picks the overload by the arguments' classes when called. A binding made
 * with {@link CelFunctionBinding#from} is registered under its overload id only, so the bindings
 * of each function are grouped under its name here ({@link CelFunctionBinding#fromOverloads}),
 * with those of a library that binds the same name ({@code indexOf} of strings and of lists):
 * the planner keeps one binding per name, the first.
 */
final class PlannerBindings {

    /** The class of no value: a binding for it never applies. */
    private static final class Never {
        private Never() {
        }
    }

    private PlannerBindings() {
    }

    /**
     * cel-java's standard functions as the planner runs them: without the conversions
     * {@link GoConversions} replaces, without {@code bool(bool)}, bound here so that {@code bool}
     * is one function of podguard's with both its overloads (a function's overloads come from one
     * place), and without the concatenation of lists, which {@link AppendedList} replaces.
     */
    static CelStandardFunctions standardFunctions() {
        return CelStandardFunctions.newBuilder().filterFunctions((function, overload) -> !GoConversions.REPLACED.contains(overload)
                && overload != BoolFunction.BoolOverload.BOOL_TO_BOOL && overload != AddOperator.AddOverload.ADD_LIST).build();
    }

    /** What replaces the standard overloads left out of {@link #standardFunctions()}. */
    static List<CelFunctionBinding> replacements(CelOptions options) {
        List<CelFunctionBinding> out = new ArrayList<>(GoConversions.bindings());
        // cel-java's own, which needs neither the options nor an equality
        out.add(BoolFunction.BoolOverload.BOOL_TO_BOOL.newFunctionBinding(options, null));
        out.add(AppendedList.binding());
        return out;
    }

    /**
     * The bindings of podguard's functions grouped by function name.
     *
     * @param functionOf every overload id of the environment to its function's name
     * @param libraries the libraries the runtime adds too, whose bindings of a name podguard binds join the group
     */
    static List<CelFunctionBinding> grouped(Map<String, String> functionOf, List<CelFunctionBinding> bindings,
                                            List<? extends CelRuntimeLibrary> libraries) {
        Map<String, List<CelFunctionBinding>> byFunction = new LinkedHashMap<>();
        Set<String> ids = new LinkedHashSet<>();
        for (CelFunctionBinding b : bindings) {
            byFunction.computeIfAbsent(function(functionOf, b), f -> new ArrayList<>()).add(b);
            ids.add(b.getOverloadId());
        }
        for (CelRuntimeLibrary library : libraries) {
            for (CelFunctionBinding b : bindingsOf(library)) {
                String function = functionOf.get(b.getOverloadId());
                // a library's own group (registered under the name) is left out: its members are here
                if (function != null && byFunction.containsKey(function) && ids.add(b.getOverloadId())) {
                    byFunction.get(function).add(b);
                }
            }
        }
        List<CelFunctionBinding> out = new ArrayList<>();
        byFunction.forEach((function, group) -> {
            List<CelFunctionBinding> all = new ArrayList<>(group);
            if (all.size() == 1) {
                // one overload makes a plain binding, which cel-java refuses to merge with its
                // standard function of the same name (int, string …); two make a mergeable group
                all.add(CelFunctionBinding.from(function + "_podguard_none", Never.class, n -> n));
            }
            out.addAll(CelFunctionBinding.fromOverloads(function, all));
        });
        return out;
    }

    private static String function(Map<String, String> functionOf, CelFunctionBinding b) {
        String function = functionOf.get(b.getOverloadId());
        if (function == null) {
            throw new IllegalStateException("no declaration of overload " + b.getOverloadId());
        }
        return function;
    }

    /**
     * The bindings a library adds to a runtime, as it adds them. cel-java has no accessor for
     * them; a runtime builder that only records is the one way to read them.
     */
    @SuppressWarnings("unchecked")
    static List<CelFunctionBinding> bindingsOf(CelRuntimeLibrary library) {
        List<CelFunctionBinding> out = new ArrayList<>();
        CelRuntimeBuilder recorder = (CelRuntimeBuilder) Proxy.newProxyInstance(PlannerBindings.class.getClassLoader(),
                new Class<?>[] {CelRuntimeBuilder.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addFunctionBindings") && args != null && args.length == 1) {
                        if (args[0] instanceof CelFunctionBinding[] array) {
                            out.addAll(List.of(array));
                        } else if (args[0] instanceof Iterable<?> all) {
                            ((Iterable<CelFunctionBinding>) all).forEach(out::add);
                        }
                    }
                    return method.getReturnType().isInstance(proxy) ? proxy : null;
                });
        library.setRuntimeOptions(recorder);
        return out;
    }
}
