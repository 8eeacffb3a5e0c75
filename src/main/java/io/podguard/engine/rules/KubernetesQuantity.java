package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Kubernetes' {@code quantity} library (library/quantity.go) over resource quantities parsed as
 * {@code resource.ParseQuantity} parses them (suffixes n … E, Ki … Ei, exponents; rounded up to
 * the nano, as the apiserver stores them). Written by hand because fabric8's {@code Quantity}
 * accepts strings the apiserver refuses.
 */
final class KubernetesQuantity {

    static final OpaqueType TYPE = OpaqueType.create("kubernetes.Quantity");

    private static final String FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    private static final BigDecimal INT64_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal INT64_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

    /**
     * A quantity's exact value; equal when the values are, as {@code Quantity.Equal}.
     *
     * @param inexact held as an arbitrary-precision decimal by the apiserver (a fraction with a
     *     binary suffix, or beyond int64): {@code asInteger()} then fails, as {@code AsInt64} does
     */
    record Quantity(BigDecimal value, boolean inexact) {
        Quantity(BigDecimal value) {
            this(value, false);
        }

        Quantity plus(BigDecimal other, boolean otherInexact) {
            BigDecimal sum = value.add(other);
            return new Quantity(sum, inexact || otherInexact || !fitsInt64(sum));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Quantity q && q.value.compareTo(value) == 0;
        }

        @Override
        public int hashCode() {
            return value.stripTrailingZeros().hashCode();
        }
    }

    private KubernetesQuantity() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("quantity",
                        CelOverloadDecl.newGlobalOverload("string_to_quantity", TYPE, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("isQuantity",
                        CelOverloadDecl.newGlobalOverload("is_quantity_string", SimpleType.BOOL, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("sign",
                        CelOverloadDecl.newGlobalOverload("quantity_sign", SimpleType.INT, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("isGreaterThan",
                        CelOverloadDecl.newMemberOverload("quantity_is_greater_than", SimpleType.BOOL, TYPE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("isLessThan",
                        CelOverloadDecl.newMemberOverload("quantity_is_less_than", SimpleType.BOOL, TYPE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("compareTo",
                        CelOverloadDecl.newMemberOverload("quantity_compare_to", SimpleType.INT, TYPE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("asApproximateFloat",
                        CelOverloadDecl.newMemberOverload("quantity_get_float", SimpleType.DOUBLE, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("asInteger",
                        CelOverloadDecl.newMemberOverload("quantity_get_int", SimpleType.INT, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("isInteger",
                        CelOverloadDecl.newMemberOverload("quantity_is_integer", SimpleType.BOOL, TYPE)),
                CelFunctionDecl.newFunctionDeclaration("add",
                        CelOverloadDecl.newMemberOverload("quantity_add", TYPE, TYPE, TYPE),
                        CelOverloadDecl.newMemberOverload("quantity_add_int", TYPE, TYPE, SimpleType.INT)),
                CelFunctionDecl.newFunctionDeclaration("sub",
                        CelOverloadDecl.newMemberOverload("quantity_sub", TYPE, TYPE, TYPE),
                        CelOverloadDecl.newMemberOverload("quantity_sub_int", TYPE, TYPE, SimpleType.INT)));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("string_to_quantity", String.class, KubernetesQuantity::parse),
                CelFunctionBinding.from("is_quantity_string", String.class, s -> {
                    try {
                        parse(s);
                        return true;
                    } catch (CelEvaluationException e) {
                        return false;
                    }
                }),
                CelFunctionBinding.from("quantity_sign", Quantity.class, q -> (long) q.value().signum()),
                CelFunctionBinding.from("quantity_is_greater_than", Quantity.class, Quantity.class, (a, b) -> a.value().compareTo(b.value()) > 0),
                CelFunctionBinding.from("quantity_is_less_than", Quantity.class, Quantity.class, (a, b) -> a.value().compareTo(b.value()) < 0),
                CelFunctionBinding.from("quantity_compare_to", Quantity.class, Quantity.class, (a, b) -> (long) a.value().compareTo(b.value())),
                CelFunctionBinding.from("quantity_get_float", Quantity.class, q -> q.value().doubleValue()),
                CelFunctionBinding.from("quantity_get_int", Quantity.class, KubernetesQuantity::asInteger),
                CelFunctionBinding.from("quantity_is_integer", Quantity.class, KubernetesQuantity::isInteger),
                CelFunctionBinding.from("quantity_add", Quantity.class, Quantity.class, (a, b) -> a.plus(b.value(), b.inexact())),
                CelFunctionBinding.from("quantity_add_int", Quantity.class, Long.class, (a, b) -> a.plus(BigDecimal.valueOf(b), false)),
                CelFunctionBinding.from("quantity_sub", Quantity.class, Quantity.class, (a, b) -> a.plus(b.value().negate(), b.inexact())),
                CelFunctionBinding.from("quantity_sub_int", Quantity.class, Long.class, (a, b) -> a.plus(BigDecimal.valueOf(b).negate(), false)));
    }

    private static boolean isInteger(Quantity q) {
        BigDecimal v = q.value();
        return !q.inexact() && (v.signum() == 0 || v.stripTrailingZeros().scale() <= 0 && fitsInt64(v));
    }

    private static boolean fitsInt64(BigDecimal v) {
        return v.compareTo(INT64_MAX) <= 0 && v.compareTo(INT64_MIN) >= 0;
    }

    private static long asInteger(Quantity q) throws CelEvaluationException {
        if (!isInteger(q)) {
            throw new CelEvaluationException("cannot convert value to integer");
        }
        return q.value().longValueExact();
    }

    /** What may follow a quantity's number (compiled once: a rule may parse a quantity per container). */
    private static final java.util.regex.Pattern SUFFIX = java.util.regex.Pattern.compile("[eEinumkKMGTP]*[-+]?[0-9]*");

    /** {@code resource.ParseQuantity}, with its error messages. */
    static Quantity parse(String s) throws CelEvaluationException {
        if (s.isEmpty()) {
            throw new CelEvaluationException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        }
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            i++;
        }
        int numStart = i;
        boolean dot = false;
        int digits = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) && s.charAt(i) < 128 || s.charAt(i) == '.')) {
            if (s.charAt(i) == '.') {
                if (dot) {
                    throw new CelEvaluationException(FORMAT_WRONG);
                }
                dot = true;
            } else {
                digits++;
            }
            i++;
        }
        if (digits == 0) {
            throw new CelEvaluationException(FORMAT_WRONG);
        }
        String number = s.substring(numStart, i);
        String suffix = s.substring(i);
        if (!plainSuffix(suffix) && !SUFFIX.matcher(suffix).matches()) {
            throw new CelEvaluationException(FORMAT_WRONG);
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number.endsWith(".") ? number + "0" : number.startsWith(".") ? "0" + number : number);
        } catch (NumberFormatException e) {
            throw new CelEvaluationException("unable to parse numeric part of quantity");
        }
        BigDecimal multiplier = multiplier(suffix);
        // the apiserver keeps a fraction with a binary suffix as an inf.Dec, which never converts to int64
        boolean inexact = dot && number.indexOf('.') < number.length() - 1 && suffix.endsWith("i")
                && new BigDecimal(number.startsWith(".") ? "0" + number : number).stripTrailingZeros().scale() > 0;
        value = value.multiply(multiplier);
        if (negative) {
            value = value.negate();
        }
        // as the apiserver: precision below the nano is rounded up (away from zero)
        if (value.scale() > 9) {
            value = value.setScale(9, RoundingMode.UP);
        }
        return new Quantity(value, inexact || !fitsInt64(value));
    }

    /** A suffix without an exponent (none, n … E, Ki … Ei), each of which {@link #SUFFIX} matches: no matcher needed. */
    private static boolean plainSuffix(String suffix) {
        return switch (suffix) {
            case "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" -> true;
            default -> false;
        };
    }

    /** The multipliers of the suffixes, made once (a BigDecimal does not change). */
    private static final BigDecimal NANO = BigDecimal.ONE.scaleByPowerOfTen(-9);
    private static final BigDecimal MICRO = BigDecimal.ONE.scaleByPowerOfTen(-6);
    private static final BigDecimal MILLI = BigDecimal.ONE.scaleByPowerOfTen(-3);
    private static final BigDecimal KILO = BigDecimal.ONE.scaleByPowerOfTen(3);
    private static final BigDecimal MEGA = BigDecimal.ONE.scaleByPowerOfTen(6);
    private static final BigDecimal GIGA = BigDecimal.ONE.scaleByPowerOfTen(9);
    private static final BigDecimal TERA = BigDecimal.ONE.scaleByPowerOfTen(12);
    private static final BigDecimal PETA = BigDecimal.ONE.scaleByPowerOfTen(15);
    private static final BigDecimal EXA = BigDecimal.ONE.scaleByPowerOfTen(18);
    private static final BigDecimal KIBI = BigDecimal.valueOf(1L << 10);
    private static final BigDecimal MEBI = BigDecimal.valueOf(1L << 20);
    private static final BigDecimal GIBI = BigDecimal.valueOf(1L << 30);
    private static final BigDecimal TEBI = BigDecimal.valueOf(1L << 40);
    private static final BigDecimal PEBI = BigDecimal.valueOf(1L << 50);
    private static final BigDecimal EXBI = BigDecimal.valueOf(1L << 60);

    private static BigDecimal multiplier(String suffix) throws CelEvaluationException {
        switch (suffix) {
            case "": return BigDecimal.ONE;
            case "n": return NANO;
            case "u": return MICRO;
            case "m": return MILLI;
            case "k": return KILO;
            case "M": return MEGA;
            case "G": return GIGA;
            case "T": return TERA;
            case "P": return PETA;
            case "E": return EXA;
            case "Ki": return KIBI;
            case "Mi": return MEBI;
            case "Gi": return GIBI;
            case "Ti": return TEBI;
            case "Pi": return PEBI;
            case "Ei": return EXBI;
            default: {
                if ((suffix.startsWith("e") || suffix.startsWith("E")) && suffix.length() > 1 && suffix.substring(1).matches("[-+]?[0-9]+")) {
                    try {
                        int exp = Integer.parseInt(suffix.substring(1));
                        if (Math.abs(exp) > 1000) {
                            throw new CelEvaluationException("unable to parse quantity's suffix");
                        }
                        return BigDecimal.ONE.scaleByPowerOfTen(exp);
                    } catch (NumberFormatException e) {
                        throw new CelEvaluationException("unable to parse quantity's suffix");
                    }
                }
                throw new CelEvaluationException("unable to parse quantity's suffix");
            }
        }
    }
}
