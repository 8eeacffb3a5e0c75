package io.podguard.engine.rules;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What of {@code object} and {@code oldObject} a set of CEL expressions can read, found from their
 * checked trees before any runs: the {@link CelProjection} that {@link CelJson} builds of a pod.
 *
 * <p>An abstract evaluation. Each expression's value is taken for the set of paths into the object
 * it may be (a field selected, an element iterated, an optional's value, a branch of a
 * conditional, a list made of such values). A path that an expression arrives at is read for its
 * shape (its keys or length, or the scalar); a value given to any other function (a comparison,
 * {@code size}, {@code startsWith}, {@code string}, {@code in} …), put in a map, or returned as an
 * expression's result, is read whole, with everything under it. Variables stand for the paths of
 * their expressions; a comprehension's variable for the elements of its range, its accumulator
 * for what its steps make of it, to a fixed point.
 *
 * <p>Sound by construction: a function whose result might hold parts of its arguments has them
 * read whole. What it cannot follow (a tree it does not know, more than
 * {@value #MAX_STEPS} steps or {@value #MAX_PATHS} paths, an accumulator that never settles)
 * makes it read everything. Should a value that is not read be read after all, {@link CelJson}
 * makes it then, so a gap here costs time, never a verdict.
 *
 * <p>Written by hand: cel-java has no analysis of what an expression reads.
 */
final class CelReads {

    private static final int MAX_STEPS = 32;
    private static final int MAX_PATHS = 1024;
    private static final int MAX_ROUNDS = 8;
    /** A step that makes a list of a value ({@code [c]}): its element is the value. */
    private static final String WRAP = "+";
    private static final Set<List<String>> ROOT = Set.of(List.of());

    private final Set<List<String>> shaped = new LinkedHashSet<>();
    private final Set<List<String>> whole = new LinkedHashSet<>();
    private final Map<String, Set<List<String>>> variables = new HashMap<>();
    private boolean everything;

    /** A variable ({@code variables.name}), after those it may read. */
    CelReads variable(String name, CompiledExpression expression) {
        variables.put(name, eval(root(expression), Map.of()));
        return this;
    }

    /** An expression whose result the caller reads (a condition, a message, an annotation). */
    CelReads expression(CompiledExpression expression) {
        whole(eval(root(expression), Map.of()));
        return this;
    }

    /** What the expressions given so far read. */
    CelProjection projection() {
        if (everything) {
            return CelProjection.ALL;
        }
        List<List<String>> s = new ArrayList<>(shaped);
        s.add(List.of());
        return CelProjection.of(s, whole);
    }

    private static CelExpr root(CompiledExpression expression) {
        return expression.ast().getExpr();
    }

    private Set<List<String>> eval(CelExpr e, Map<String, Set<List<String>>> env) {
        if (everything) {
            return Set.of();
        }
        return switch (e.getKind()) {
            case CONSTANT -> Set.of();
            case IDENT -> {
                String name = e.ident().name();
                Set<List<String>> local = env.get(name);
                if (local != null) {
                    yield local;
                }
                yield name.equals("object") || name.equals("oldObject") ? ROOT : Set.of();
            }
            case SELECT -> select(e, env);
            case CALL -> call(e, env);
            case LIST -> {
                Set<List<String>> out = new LinkedHashSet<>();
                for (CelExpr element : e.list().elements()) {
                    out.addAll(step(eval(element, env), WRAP));
                }
                yield bounded(out);
            }
            case MAP -> {
                for (CelExpr.CelMap.Entry entry : e.map().entries()) {
                    whole(eval(entry.key(), env));
                    whole(eval(entry.value(), env));
                }
                yield Set.of();
            }
            case STRUCT -> {
                for (CelExpr.CelStruct.Entry entry : e.struct().entries()) {
                    whole(eval(entry.value(), env));
                }
                yield Set.of();
            }
            case COMPREHENSION -> comprehension(e, env);
            default -> {
                everything = true;
                yield Set.of();
            }
        };
    }

    private Set<List<String>> select(CelExpr e, Map<String, Set<List<String>>> env) {
        CelExpr.CelSelect s = e.select();
        CelExpr operand = s.operand();
        if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT && operand.ident().name().equals("variables") && !env.containsKey("variables")) {
            return s.testOnly() ? Set.of() : variables.getOrDefault(s.field(), Set.of());
        }
        Set<List<String>> of = eval(operand, env);
        // has(): the operand's keys, which arriving at it reads
        return s.testOnly() ? Set.of() : arrived(step(of, key(s.field())));
    }

    private Set<List<String>> call(CelExpr e, Map<String, Set<List<String>>> env) {
        CelExpr.CelCall call = e.call();
        CelExpr target = call.target().orElse(null);
        List<CelExpr> args = call.args();
        switch (call.function()) {
            case "_?._", "_[_]", "_[?_]" -> {
                if (target == null && args.size() == 2) {
                    Set<List<String>> of = eval(args.get(0), env);
                    String field = constantString(args.get(1));
                    if (field == null) {
                        whole(eval(args.get(1), env));
                    }
                    return arrived(step(of, field == null ? CelProjection.ANY : key(field)));
                }
            }
            case "_?_:_" -> {
                if (target == null && args.size() == 3) {
                    whole(eval(args.get(0), env));
                    return union(eval(args.get(1), env), eval(args.get(2), env));
                }
            }
            case "_+_" -> {
                if (target == null && args.size() == 2) {
                    // two lists joined: their elements are read into the new list (two strings: the result is read whole, or not at all)
                    Set<List<String>> a = eval(args.get(0), env);
                    Set<List<String>> b = eval(args.get(1), env);
                    arrived(step(a, CelProjection.ANY));
                    arrived(step(b, CelProjection.ANY));
                    return union(a, b);
                }
            }
            case "orValue", "or" -> {
                if (target != null && args.size() == 1) {
                    return union(eval(target, env), eval(args.get(0), env));
                }
            }
            case "value" -> {
                if (target != null && args.isEmpty()) {
                    return eval(target, env);
                }
            }
            case "optional.of", "dyn" -> {
                if (target == null && args.size() == 1) {
                    return eval(args.get(0), env);
                }
            }
            default -> {
            }
        }
        if (target != null) {
            whole(eval(target, env));
        }
        for (CelExpr a : args) {
            whole(eval(a, env));
        }
        return Set.of();
    }

    private Set<List<String>> comprehension(CelExpr e, Map<String, Set<List<String>>> env) {
        CelExpr.CelComprehension c = e.comprehension();
        Set<List<String>> elements = arrived(step(eval(c.iterRange(), env), CelProjection.ANY));
        Map<String, Set<List<String>>> loop = new HashMap<>(env);
        loop.put(c.iterVar(), elements);
        if (!c.iterVar2().isEmpty()) {
            loop.put(c.iterVar2(), elements);
        }
        Set<List<String>> accu = eval(c.accuInit(), env);
        for (int round = 0; ; round++) {
            loop.put(c.accuVar(), accu);
            whole(eval(c.loopCondition(), loop));
            Set<List<String>> next = union(accu, eval(c.loopStep(), loop));
            if (next.equals(accu) || everything) {
                break;
            }
            if (round == MAX_ROUNDS) {
                everything = true;
                break;
            }
            accu = next;
        }
        Map<String, Set<List<String>>> after = new HashMap<>(env);
        after.put(c.accuVar(), accu);
        return eval(c.result(), after);
    }

    /** Each path one step on: a field, {@code *} (any key or element; of a list made of values, those values) or {@code +} (a list made of it). */
    private Set<List<String>> step(Set<List<String>> paths, String step) {
        if (paths.isEmpty()) {
            return Set.of();
        }
        Set<List<String>> out = new LinkedHashSet<>();
        for (List<String> p : paths) {
            boolean wrapped = !p.isEmpty() && p.getLast().equals(WRAP);
            if (wrapped && step.equals(CelProjection.ANY)) {
                out.add(p.subList(0, p.size() - 1));
            } else if (!wrapped || step.equals(WRAP)) {
                // a field of a list made of values: no such field, nothing read
                if (p.size() >= MAX_STEPS) {
                    everything = true;
                    return Set.of();
                }
                List<String> q = new ArrayList<>(p.size() + 1);
                q.addAll(p);
                q.add(step);
                out.add(List.copyOf(q));
            }
        }
        return bounded(out);
    }

    /** Paths an expression arrives at: read for their shape. */
    private Set<List<String>> arrived(Set<List<String>> paths) {
        for (List<String> p : paths) {
            shaped.add(unwrapped(p));
        }
        return paths;
    }

    /** Values read whole. */
    private void whole(Set<List<String>> paths) {
        for (List<String> p : paths) {
            whole.add(unwrapped(p));
        }
        if (whole.size() + shaped.size() > 4 * MAX_PATHS) {
            everything = true;
        }
    }

    private Set<List<String>> union(Set<List<String>> a, Set<List<String>> b) {
        if (a.isEmpty() || a.equals(b)) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        Set<List<String>> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return bounded(out);
    }

    private Set<List<String>> bounded(Set<List<String>> paths) {
        if (paths.size() > MAX_PATHS) {
            everything = true;
            return Set.of();
        }
        return paths;
    }

    /** A path as a projection reads it: a list made of values is read as the values are. */
    private static List<String> unwrapped(List<String> p) {
        int end = p.size();
        while (end > 0 && p.get(end - 1).equals(WRAP)) {
            end--;
        }
        List<String> out = new ArrayList<>(end);
        for (String s : p.subList(0, end)) {
            // a list made of values inside a path (a list of lists): its values are the elements
            if (!s.equals(WRAP)) {
                out.add(s);
            } else {
                out.add(CelProjection.ANY);
            }
        }
        return out;
    }

    /** A field's name as a step: a field named like a step stands for any field, which reads it too. */
    private static String key(String field) {
        return field.equals(CelProjection.ANY) || field.equals(WRAP) ? CelProjection.ANY : field;
    }

    private static String constantString(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT && e.constant().getKind() == CelConstant.Kind.STRING_VALUE
                ? e.constant().stringValue() : null;
    }
}
