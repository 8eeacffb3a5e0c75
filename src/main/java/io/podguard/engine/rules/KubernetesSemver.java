package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' {@code semver} library (library/semverlib.go, version 1), parsing as
 * {@code blang/semver/v4}'s {@code Parse} does, with its error messages, and the optional
 * normalisation ({@code semver("v1.2", true)}).
 */
final class KubernetesSemver {

    static final OpaqueType TYPE = OpaqueType.create("kubernetes.Semver");

    /** A version; build metadata does not take part in comparison, as in semver. */
    record Semver(BigInteger major, BigInteger minor, BigInteger patch, List<String> pre, List<String> build) {
        int compare(Semver o) {
            int c = major.compareTo(o.major);
            if (c == 0) {
                c = minor.compareTo(o.minor);
            }
            if (c == 0) {
                c = patch.compareTo(o.patch);
            }
            if (c != 0) {
                return Integer.signum(c);
            }
            if (pre.isEmpty() || o.pre.isEmpty()) {
                return pre.isEmpty() == o.pre.isEmpty() ? 0 : pre.isEmpty() ? 1 : -1;
            }
            for (int i = 0; i < Math.min(pre.size(), o.pre.size()); i++) {
                int p = comparePre(pre.get(i), o.pre.get(i));
                if (p != 0) {
                    return p;
                }
            }
            return Integer.compare(pre.size(), o.pre.size());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Semver s && compare(s) == 0;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(major, minor, patch, pre);
        }
    }

    private KubernetesSemver() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("semver",
                        CelOverloadDecl.newGlobalOverload("string_to_semver", TYPE, SimpleType.STRING),
                        CelOverloadDecl.newGlobalOverload("string_bool_to_semver", TYPE, SimpleType.STRING, SimpleType.BOOL)),
                CelFunctionDecl.newFunctionDeclaration("isSemver",
                        CelOverloadDecl.newGlobalOverload("is_semver_string", SimpleType.BOOL, SimpleType.STRING),
                        CelOverloadDecl.newGlobalOverload("is_semver_string_bool", SimpleType.BOOL, SimpleType.STRING, SimpleType.BOOL)),
                CelFunctionDecl.newFunctionDeclaration("isGreaterThan",
                        CelOverloadDecl.newMemberOverload("semver_is_greater_than", SimpleType.BOOL, TYPE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("isLessThan",
                        CelOverloadDecl.newMemberOverload("semver_is_less_than", SimpleType.BOOL, TYPE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("compareTo",
                        CelOverloadDecl.newMemberOverload("semver_compare_to", SimpleType.INT, TYPE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("major", CelOverloadDecl.newMemberOverload("semver_major", SimpleType.INT, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("minor", CelOverloadDecl.newMemberOverload("semver_minor", SimpleType.INT, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("patch", CelOverloadDecl.newMemberOverload("semver_patch", SimpleType.INT, TYPE)));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("string_to_semver", String.class, s -> parse(s, false)),
                CelFunctionBinding.from("string_bool_to_semver", String.class, Boolean.class, KubernetesSemver::parse),
                CelFunctionBinding.from("is_semver_string", String.class, s -> isSemver(s, false)),
                CelFunctionBinding.from("is_semver_string_bool", String.class, Boolean.class, KubernetesSemver::isSemver),
                CelFunctionBinding.from("semver_is_greater_than", Semver.class, Semver.class, (a, b) -> a.compare(b) > 0),
                CelFunctionBinding.from("semver_is_less_than", Semver.class, Semver.class, (a, b) -> a.compare(b) < 0),
                CelFunctionBinding.from("semver_compare_to", Semver.class, Semver.class, (a, b) -> (long) a.compare(b)),
                CelFunctionBinding.from("semver_major", Semver.class, v -> v.major().longValue()),
                CelFunctionBinding.from("semver_minor", Semver.class, v -> v.minor().longValue()),
                CelFunctionBinding.from("semver_patch", Semver.class, v -> v.patch().longValue()));
    }

    private static boolean isSemver(String s, boolean normalize) {
        try {
            parse(s, normalize);
            return true;
        } catch (CelEvaluationException e) {
            return false;
        }
    }

    static Semver parse(String s, boolean normalize) throws CelEvaluationException {
        return normalize ? parse(normalized(s)) : parse(s);
    }

    private static String normalized(String s) throws CelEvaluationException {
        if (s.startsWith("v")) {
            s = s.substring(1);
        }
        List<String> parts = new ArrayList<>(List.of(s.split("\\.", 3)));
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.length() > 1) {
                p = p.replaceFirst("^0+", "");
                if (p.isEmpty() || !Character.isDigit(p.charAt(0))) {
                    p = "0" + p;
                }
                parts.set(i, p);
            }
        }
        if (parts.size() < 3) {
            String last = parts.getLast();
            if (last.contains("+") || last.contains("-")) {
                throw new CelEvaluationException("short version cannot contain PreRelease/Build meta data");
            }
            while (parts.size() < 3) {
                parts.add("0");
            }
        }
        return String.join(".", parts);
    }

    private static Semver parse(String s) throws CelEvaluationException {
        if (s.isEmpty()) {
            throw new CelEvaluationException("Version string empty");
        }
        String[] parts = s.split("\\.", 3);
        if (parts.length != 3) {
            throw new CelEvaluationException("No Major.Minor.Patch elements found");
        }
        BigInteger major = number(parts[0], "major", "Major");
        BigInteger minor = number(parts[1], "minor", "Minor");
        String patchStr = parts[2];
        List<String> build = List.of();
        List<String> pre = List.of();
        int plus = patchStr.indexOf('+');
        if (plus >= 0) {
            build = List.of(patchStr.substring(plus + 1).split("\\.", -1));
            patchStr = patchStr.substring(0, plus);
        }
        int dash = patchStr.indexOf('-');
        if (dash >= 0) {
            pre = List.of(patchStr.substring(dash + 1).split("\\.", -1));
            patchStr = patchStr.substring(0, dash);
        }
        BigInteger patch = number(patchStr, "patch", "Patch");
        for (String p : pre) {
            if (p.isEmpty()) {
                throw new CelEvaluationException("Prerelease is empty");
            }
            if (p.chars().allMatch(Character::isDigit)) {
                if (p.length() > 1 && p.charAt(0) == '0') {
                    throw new CelEvaluationException("Numeric PreRelease version must not contain leading zeroes " + quote(p));
                }
            } else if (!alphanumeric(p)) {
                throw new CelEvaluationException("Invalid character(s) found in prerelease " + quote(p));
            }
        }
        for (String b : build) {
            if (b.isEmpty()) {
                throw new CelEvaluationException("Build meta data is empty");
            }
            if (!alphanumeric(b)) {
                throw new CelEvaluationException("Invalid character(s) found in build meta data " + quote(b));
            }
        }
        return new Semver(major, minor, patch, pre, build);
    }

    private static BigInteger number(String s, String lower, String upper) throws CelEvaluationException {
        if (!s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new CelEvaluationException("Invalid character(s) found in " + lower + " number " + quote(s));
        }
        if (s.length() > 1 && s.charAt(0) == '0') {
            throw new CelEvaluationException(upper + " number must not contain leading zeroes " + quote(s));
        }
        if (s.isEmpty()) {
            throw new CelEvaluationException("strconv.ParseUint: parsing \"\": invalid syntax");
        }
        BigInteger n = new BigInteger(s);
        if (n.bitLength() > 64) {
            throw new CelEvaluationException("strconv.ParseUint: parsing " + quote(s) + ": value out of range");
        }
        return n;
    }

    private static boolean alphanumeric(String s) {
        return s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-');
    }

    private static int comparePre(String a, String b) {
        boolean an = a.chars().allMatch(Character::isDigit);
        boolean bn = b.chars().allMatch(Character::isDigit);
        if (an && bn) {
            return Integer.signum(new BigInteger(a).compareTo(new BigInteger(b)));
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return Integer.signum(a.compareTo(b));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
