package io.podguard.engine.rules;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' {@code regex} library (library/regex.go): {@code find} and {@code findAll}, with
 * RE2 (re2j, the same syntax and linear-time matching as Go's {@code regexp}), so no pattern
 * can make a review backtrack for ever.
 */
final class KubernetesRegex {

    private KubernetesRegex() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("find",
                        CelOverloadDecl.newMemberOverload("string_find_string", SimpleType.STRING, SimpleType.STRING, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("findAll",
                        CelOverloadDecl.newMemberOverload("string_find_all_string", ListType.create(SimpleType.STRING),
                                SimpleType.STRING, SimpleType.STRING),
                        CelOverloadDecl.newMemberOverload("string_find_all_string_int", ListType.create(SimpleType.STRING),
                                SimpleType.STRING, SimpleType.STRING, SimpleType.INT)));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("string_find_string", String.class, String.class, KubernetesRegex::find),
                CelFunctionBinding.from("string_find_all_string", String.class, String.class, (s, re) -> findAll(s, re, -1)),
                CelFunctionBinding.from("string_find_all_string_int", List.of(String.class, String.class, Long.class),
                        args -> findAll((String) args[0], (String) args[1], (Long) args[2])));
    }

    private static Pattern compile(String regex) throws CelEvaluationException {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            // re2j reports Go's own wording: "error parsing regexp: missing closing ): `(`"
            throw new CelEvaluationException("Illegal regex: " + e.getMessage());
        }
    }

    private static String find(String s, String regex) throws CelEvaluationException {
        Matcher m = compile(regex).matcher(s);
        return m.find() ? m.group() : "";
    }

    /** Go's {@code FindAllString}: at most n matches (all when n < 0), an empty match right after a match skipped. */
    private static List<String> findAll(String s, String regex, long n) throws CelEvaluationException {
        Matcher m = compile(regex).matcher(s);
        List<String> out = new ArrayList<>();
        int pos = 0;
        int prevEnd = -1;
        while ((n < 0 || out.size() < n) && pos <= s.length() && m.find(pos)) {
            int start = m.start();
            int end = m.end();
            if (end > start || start != prevEnd) {
                out.add(m.group());
            }
            prevEnd = end;
            pos = end > start ? end : start + (start < s.length() ? Character.charCount(s.codePointAt(start)) : 1);
        }
        return out;
    }
}
