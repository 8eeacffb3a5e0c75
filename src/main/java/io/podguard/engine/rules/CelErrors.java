package io.podguard.engine.rules;

import dev.cel.common.exceptions.CelAttributeNotFoundException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cel-java's messages in cel-go's words, which the apiserver puts into its own
 * ({@code no such key: image}, {@code division by zero}, {@code Syntax error: …}), so a
 * ValidatingAdmissionPolicy says the same thing in podguard as in the apiserver. The
 * differential test against the apiserver's CEL (CelDifferentialIT) holds these to account.
 */
final class CelErrors {

    private static final Pattern PREFIX = Pattern.compile("^evaluation error(?: at [^:]*:(\\d+))?: ");
    private static final Pattern NO_KEY = Pattern.compile("^key '(.*)' is not present in map\\.?$");
    private static final Pattern INDEX = Pattern.compile("^Index out of bounds: (-?\\d+)$");
    private static final Pattern OVERLOAD = Pattern.compile("^No matching overload for function '([^']*)'.*", Pattern.DOTALL);
    private static final Pattern CANDIDATES = Pattern.compile(" \\(candidates: .*\\)$", Pattern.MULTILINE);
    private static final Pattern TYPE_PARAMETER = Pattern.compile("%[A-Z]+\\d+");
    private static final Pattern SYNTAX = Pattern.compile(
            "^(ERROR: <input>:\\d+:\\d+: )(mismatched input|extraneous input|no viable alternative|token recognition error|missing )",
            Pattern.MULTILINE);

    private CelErrors() {
    }

    /** An evaluation error of {@code source}, in cel-go's words. */
    static String message(Throwable e, String source) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Matcher prefix = PREFIX.matcher(m);
        int offset = -1;
        if (prefix.find()) {
            offset = prefix.group(1) == null ? -1 : Integer.parseInt(prefix.group(1));
            m = m.substring(prefix.end());
        }
        if (m.startsWith("No such attribute(s): ")) {
            // a variable the request does not have (cel-java's planner; its interpreter returned an unknown)
            return "no such attribute(s): " + m.substring("No such attribute(s): ".length());
        }
        Matcher k = NO_KEY.matcher(m);
        if (k.matches()) {
            return "no such key: " + k.group(1);
        }
        if (e.getCause() instanceof CelAttributeNotFoundException) {
            return "no such key: " + m;
        }
        Matcher i = INDEX.matcher(m);
        if (i.matches()) {
            return "index out of bounds: " + i.group(1);
        }
        if (m.equals("/ by zero") || m.endsWith("ArithmeticException: / by zero")) {
            return offset >= 0 && offset < source.length() && source.charAt(offset) == '%' ? "modulus by zero" : "division by zero";
        }
        if (m.equals("long overflow") || m.endsWith("ArithmeticException: long overflow") || m.equals("double is out of range for int")
                || m.equals("unsigned out of int range")) {
            return "integer overflow";
        }
        if (m.equals("int out of uint range") || m.equals("double out of uint range")) {
            return "unsigned integer overflow";
        }
        if (OVERLOAD.matcher(m).matches()) {
            return "no such overload";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * A compile error in cel-go's words: no list of candidate overloads, syntax errors marked as
     * such, a type parameter left unresolved written {@code dyn} ({@code list(%T0)} is cel-go's
     * {@code list(dyn)}).
     */
    static String compileMessage(String celJava) {
        String m = CANDIDATES.matcher(celJava).replaceAll("");
        m = TYPE_PARAMETER.matcher(m).replaceAll("dyn");
        return SYNTAX.matcher(m).replaceAll("$1Syntax error: $2");
    }
}
