package io.podguard.engine.rules;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.CelRuntimeLibrary;
import java.util.List;

/**
 * The strings extension's {@code indexOf(string)} and {@code lastIndexOf(string)} for cel-java's
 * planner, without the two code-point arrays cel-java's build on every call (a rule such as
 * {@code c.image.lastIndexOf(':') > c.image.lastIndexOf('/')} calls them per container). The
 * indexes are in code points, as cel-go's; in a string without surrogates a code point is a
 * {@code char}, so {@link String#indexOf(String)} and {@link String#lastIndexOf(String)} give the
 * same index. Every other call (a surrogate in either string, and {@code indexOf} of an empty
 * string, which cel-java answers with an error) is cel-java's own function, so the values and
 * errors are cel-java's. Written by hand: cel-java has no index function over a {@link String}.
 */
final class StringIndexes {

    static final String INDEX_OF = "string_index_of_string";
    static final String LAST_INDEX_OF = "string_last_index_of_string";

    private StringIndexes() {
    }

    /** The two bindings, in place of those of {@code strings} (cel-java's strings extension), which they call on the slow path. */
    static List<CelFunctionBinding> bindings(CelRuntimeLibrary strings) {
        CelFunctionOverload indexOf = null;
        CelFunctionOverload lastIndexOf = null;
        for (CelFunctionBinding b : PlannerBindings.bindingsOf(strings)) {
            if (b.getOverloadId().equals(INDEX_OF)) {
                indexOf = b.getDefinition();
            } else if (b.getOverloadId().equals(LAST_INDEX_OF)) {
                lastIndexOf = b.getDefinition();
            }
        }
        if (indexOf == null || lastIndexOf == null) {
            throw new IllegalStateException("the strings extension binds no " + INDEX_OF + " or " + LAST_INDEX_OF);
        }
        CelFunctionOverload celIndexOf = indexOf;
        CelFunctionOverload celLastIndexOf = lastIndexOf;
        return List.of(
                CelFunctionBinding.from(INDEX_OF, String.class, String.class, (s, sub) -> indexOf(s, sub, celIndexOf)),
                CelFunctionBinding.from(LAST_INDEX_OF, String.class, String.class, (s, sub) -> lastIndexOf(s, sub, celLastIndexOf)));
    }

    static Object indexOf(String s, String sub, CelFunctionOverload cel) throws CelEvaluationException {
        if (s.isEmpty() || hasSurrogate(s) || hasSurrogate(sub)) {
            return cel.apply(new Object[] {s, sub});
        }
        // an empty sub: 0, as cel-java's (its offset)
        return (long) s.indexOf(sub);
    }

    static Object lastIndexOf(String s, String sub, CelFunctionOverload cel) throws CelEvaluationException {
        if (hasSurrogate(s) || hasSurrogate(sub)) {
            return cel.apply(new Object[] {s, sub});
        }
        // an empty sub: the length, as cel-java's
        return (long) s.lastIndexOf(sub);
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
