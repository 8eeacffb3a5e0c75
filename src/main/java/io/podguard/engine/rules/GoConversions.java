package io.podguard.engine.rules;

import com.google.common.primitives.UnsignedLong;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.standard.BoolFunction;
import dev.cel.runtime.standard.DoubleFunction;
import dev.cel.runtime.standard.IntFunction;
import dev.cel.runtime.standard.UintFunction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code int()}, {@code uint()}, {@code double()} and {@code bool()} of a string as cel-go
 * converts them, with Go's {@code strconv}: no white space, {@code double('1_000.5')},
 * {@code double('Inf')} and hexadecimal floats accepted, {@code double('1.5f')} refused,
 * {@code bool('t')} true; a failure is {@code type conversion error from 'string' to 'int'}.
 * Java's parsers accept and refuse other strings, so these replace cel-java's.
 */
final class GoConversions {

    /** cel-java's conversions of a string, which these replace. */
    static final Set<dev.cel.runtime.standard.CelStandardOverload> REPLACED = Set.of(IntFunction.IntOverload.STRING_TO_INT64,
            UintFunction.UintOverload.STRING_TO_UINT64, DoubleFunction.DoubleOverload.STRING_TO_DOUBLE,
            BoolFunction.BoolOverload.STRING_TO_BOOL);

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9](?:_?[0-9])*(?:\\.(?:[0-9](?:_?[0-9])*)?)?|\\.[0-9](?:_?[0-9])*)"
            + "(?:[eE][+-]?[0-9](?:_?[0-9])*)?");
    private static final Pattern HEX = Pattern.compile("[+-]?0[xX](?:_?[0-9a-fA-F])*(?:\\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?[pP][+-]?[0-9]+");
    private static final Pattern SPECIAL = Pattern.compile("(?i)[+-]?(?:inf|infinity)|nan");

    private GoConversions() {
    }

    /** cel-java's standard functions without the conversions replaced here. */
    static CelStandardFunctions standardFunctions() {
        return CelStandardFunctions.newBuilder().filterFunctions((function, overload) -> !REPLACED.contains(overload)).build();
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("string_to_int64", String.class, GoConversions::parseInt),
                CelFunctionBinding.from("string_to_uint64", String.class, GoConversions::parseUint),
                CelFunctionBinding.from("string_to_double", String.class, GoConversions::parseDouble),
                CelFunctionBinding.from("string_to_bool", String.class, GoConversions::parseBool));
    }

    private static CelEvaluationException error(String to) {
        return new CelEvaluationException("type conversion error from 'string' to '" + to + "'");
    }

    static long parseInt(String s) throws CelEvaluationException {
        if (!INTEGER.matcher(s).matches()) {
            throw error("int");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("int");
        }
    }

    static UnsignedLong parseUint(String s) throws CelEvaluationException {
        if (!UNSIGNED.matcher(s).matches()) {
            throw error("uint");
        }
        BigInteger v = new BigInteger(s);
        if (v.bitLength() > 64) {
            throw error("uint");
        }
        return UnsignedLong.valueOf(v);
    }

    /** Go's strconv.ParseFloat: decimal and hexadecimal forms with Go's underscores, Inf, Infinity and NaN in any case. */
    static double parseDouble(String s) throws CelEvaluationException {
        if (SPECIAL.matcher(s).matches()) {
            String lower = s.toLowerCase(java.util.Locale.ROOT);
            return lower.equals("nan") ? Double.NaN : lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double d;
        if (DECIMAL.matcher(s).matches()) {
            d = new BigDecimal(s.replace("_", "")).doubleValue();
        } else if (HEX.matcher(s).matches()) {
            d = Double.parseDouble(s.replace("_", ""));
        } else {
            throw error("double");
        }
        if (Double.isInfinite(d)) {
            throw error("double"); // Go: out of range
        }
        return d;
    }

    static boolean parseBool(String s) throws CelEvaluationException {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw error("bool");
        };
    }
}
