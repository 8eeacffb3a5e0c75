package io.podguard.engine.rules;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.values.CelByteString;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import io.podguard.engine.Text;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code <string>.format(<list>)} as the apiserver has it: cel-go's strings extension at version
 * 2 ({@code ext/formatting.go}, locale en_US, no precision limit), whose {@code %f} and
 * {@code %e} go through golang.org/x/text's number formatting: {@code %f} groups thousands
 * ({@code 1,234.500000}) and keeps {@code precision mod 256} fraction digits at least;
 * {@code %e} writes {@code 1.234568×10⁰⁶} with six fraction digits whatever the precision,
 * which cel-go passes as a width ({@code %.2e} is {@code %2e}). {@code %s} of a double is
 * Go's shortest form ({@code 1e+06}), inside a list {@code %.6f}. Written by hand: cel-java has
 * no {@code format}, and its formatting is cel-go's and Go's, not Java's.
 *
 * <p>The compile-time check ({@link #check}) is cel-go's {@code stringFormatValidator}: a
 * constant format string with a list literal is checked clause by clause against the
 * arguments' types, and may not have arguments left over.
 */
final class StringFormat {

    static final String OVERLOAD = "string_format";
    private static final int DEFAULT_PRECISION = 6;

    private StringFormat() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(CelFunctionDecl.newFunctionDeclaration("format",
                CelOverloadDecl.newMemberOverload(OVERLOAD, SimpleType.STRING, SimpleType.STRING, ListType.create(SimpleType.DYN))));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(CelFunctionBinding.from(OVERLOAD, String.class, List.class, (format, args) -> {
            try {
                return parse(format, new Runtime(), new RuntimeArgs(args));
            } catch (FormatError e) {
                throw new CelEvaluationException(e.getMessage());
            }
        }));
    }

    /** A formatting error, with the expression it is about when the checker finds it. */
    static class FormatError extends Exception {
        final long id;

        FormatError(long id, String message) {
            super(message, null, false, false);
            this.id = id;
        }

        FormatError wrap(String prefix) {
            return new FormatError(id, prefix + ": " + getMessage());
        }
    }

    /** The clauses: what each does with its argument (the runtime formats, the checker checks types). */
    interface Clauses {
        String string(Object arg) throws FormatError;

        String decimal(Object arg) throws FormatError;

        String fixed(Object arg, Integer precision) throws FormatError;

        String scientific(Object arg, Integer precision) throws FormatError;

        String binary(Object arg) throws FormatError;

        String hex(Object arg, boolean upper) throws FormatError;

        String octal(Object arg) throws FormatError;
    }

    /** The arguments. */
    interface Args {
        Object arg(int index) throws FormatError;

        int size();
    }

    /** cel-go's {@code parseFormatString}. */
    static String parse(String format, Clauses clauses, Args args) throws FormatError {
        StringBuilder out = new StringBuilder(format.length() + 16);
        int i = 0;
        int argIndex = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < format.length() && format.charAt(i + 1) == '%') {
                out.append('%');
                i += 2;
                continue;
            }
            Object arg = args.arg(argIndex);
            if (i + 1 >= format.length()) {
                throw new FormatError(-1, "unexpected end of string");
            }
            if (argIndex >= args.size()) {
                throw new FormatError(-1, "index " + argIndex + " out of range");
            }
            i++;
            // the precision: '.' and digits, up to the clause
            Integer precision = null;
            if (format.charAt(i) == '.') {
                int start = ++i;
                while (true) {
                    if (i >= format.length()) {
                        throw new FormatError(-1, "could not parse formatting clause: error while parsing precision: "
                                + "could not find end of precision specifier");
                    }
                    char d = format.charAt(i);
                    if (d < '0' || d > '9') {
                        break;
                    }
                    i++;
                }
                String digits = format.substring(start, i);
                try {
                    precision = Integer.parseInt(digits);
                } catch (NumberFormatException e) {
                    throw new FormatError(-1, "could not parse formatting clause: error while parsing precision: error while converting "
                            + "precision to integer: strconv.Atoi: parsing " + Text.goQuote(digits)
                            + (digits.isEmpty() ? ": invalid syntax" : ": value out of range"));
                }
            }
            char clause = format.charAt(i++);
            try {
                out.append(switch (clause) {
                    case 's' -> clauses.string(arg);
                    case 'd' -> clauses.decimal(arg);
                    case 'f' -> clauses.fixed(arg, precision);
                    case 'e' -> clauses.scientific(arg, precision);
                    case 'b' -> clauses.binary(arg);
                    case 'x', 'X' -> clauses.hex(arg, clause == 'X');
                    case 'o' -> clauses.octal(arg);
                    default -> throw new UnknownClause(clause);
                });
            } catch (UnknownClause e) {
                throw new FormatError(-1, "could not parse formatting clause: unrecognized formatting clause \"" + e.clause + "\"");
            } catch (FormatError e) {
                throw e.wrap("error during formatting");
            }
            argIndex++;
        }
        return out.toString();
    }

    private static final class UnknownClause extends FormatError {
        final char clause;

        UnknownClause(char clause) {
            super(-1, "unrecognized formatting clause");
            this.clause = clause;
        }
    }

    private record RuntimeArgs(List<?> list) implements Args {
        @Override
        public Object arg(int index) throws FormatError {
            if (index >= list.size()) {
                throw new FormatError(-1, "index " + index + " out of range");
            }
            return list.get(index);
        }

        @Override
        public int size() {
            return list.size();
        }
    }

    // ---- the runtime clauses (cel-go's stringFormatter) ----

    private static final class Runtime implements Clauses {
        @Override
        public String string(Object arg) throws FormatError {
            return formatString(arg);
        }

        @Override
        public String decimal(Object arg) throws FormatError {
            return formatDecimal(arg);
        }

        @Override
        public String fixed(Object arg, Integer precision) throws FormatError {
            Double d = doubleOrSpecial(arg);
            if (d == null) {
                throw new FormatError(-1, "fixed-point clause can only be used on doubles, was given " + CelValueTypes.name(arg));
            }
            int p = precision == null ? DEFAULT_PRECISION : precision;
            return Numbers.localizedFixed(d, p);
        }

        @Override
        public String scientific(Object arg, Integer precision) throws FormatError {
            Double d = doubleOrSpecial(arg);
            if (d == null) {
                throw new FormatError(-1, "scientific clause can only be used on doubles, was given " + CelValueTypes.name(arg));
            }
            // cel-go writes "%<precision>e": the precision is the width (0 a flag), the digits are always six
            int width = precision == null ? DEFAULT_PRECISION : precision;
            return Numbers.localizedScientific(d, width);
        }

        @Override
        public String binary(Object arg) throws FormatError {
            return switch (arg) {
                case Long l -> Long.toString(l, 2);
                case UnsignedLong u -> u.bigIntegerValue().toString(2);
                case Boolean b -> b ? "1" : "0";
                default -> throw new FormatError(-1, "only integers and bools can be formatted as binary, was given " + CelValueTypes.name(arg));
            };
        }

        @Override
        public String hex(Object arg, boolean upper) throws FormatError {
            String out = switch (arg) {
                case String s -> HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
                case CelByteString b -> HexFormat.of().formatHex(b.toByteArray());
                case Long l -> Long.toString(l, 16);
                case UnsignedLong u -> u.bigIntegerValue().toString(16);
                default -> throw new FormatError(-1, "only integers, byte buffers, and strings can be formatted as hex, was given "
                        + CelValueTypes.name(arg));
            };
            return upper ? out.toUpperCase(java.util.Locale.ROOT) : out;
        }

        @Override
        public String octal(Object arg) throws FormatError {
            return switch (arg) {
                case Long l -> Long.toString(l, 8);
                case UnsignedLong u -> u.bigIntegerValue().toString(8);
                default -> throw new FormatError(-1, "octal clause can only be used on integers, was given " + CelValueTypes.name(arg));
            };
        }
    }

    /** A double, or "NaN", "Infinity", "-Infinity" as strings, which %f and %e accept too. */
    private static Double doubleOrSpecial(Object arg) {
        if (arg instanceof Double d) {
            return d;
        }
        if (arg instanceof String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> null;
            };
        }
        return null;
    }

    /** cel-go's {@code FormatString}: a value's string form, lists and maps as CEL literals. */
    static String formatString(Object arg) throws FormatError {
        return switch (arg) {
            case List<?> l -> formatList(l);
            case Map<?, ?> m -> formatMap(m);
            case Long l -> Long.toString(l);
            case UnsignedLong u -> u.toString();
            case Double d -> Numbers.shortest(d);
            case Boolean b -> b.toString();
            case String s -> s;
            case CelByteString b -> b.toStringUtf8();
            case NullValue n -> "null";
            default -> {
                String special = timeOrType(arg);
                if (special == null) {
                    throw new FormatError(-1, "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, "
                            + "durations, and timestamps, was given " + CelValueTypes.name(arg));
                }
                yield special;
            }
        };
    }

    /** A timestamp (RFC 3339, nanoseconds trimmed), a duration ({@code 6347s}) or a type's name; else null. */
    private static String timeOrType(Object arg) {
        return switch (arg) {
            case java.time.Instant t -> rfc3339Nano(t);
            case com.google.protobuf.Timestamp t -> rfc3339Nano(java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos()));
            case java.time.Duration d -> durationSeconds(d.getSeconds(), d.getNano());
            case com.google.protobuf.Duration d -> durationSeconds(d.getSeconds(), d.getNanos());
            case CelType t -> t.parameters().isEmpty() ? t.name() : CompileChecks.typeName(t.parameters().getFirst());
            default -> null;
        };
    }

    /** Go's time.RFC3339Nano in UTC: the fraction of a second without its trailing zeros. */
    private static String rfc3339Nano(java.time.Instant t) {
        String seconds = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
                .format(java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC));
        if (t.getNano() == 0) {
            return seconds + "Z";
        }
        String fraction = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return seconds + "." + fraction + "Z";
    }

    private static String durationSeconds(long seconds, int nanos) {
        BigDecimal s = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9));
        // Go: strconv.FormatFloat(d.Seconds(), 'f', -1, 64), the seconds as a float64
        return Numbers.shortestPlain(s.doubleValue()) + "s";
    }

    private static String formatDecimal(Object arg) throws FormatError {
        return switch (arg) {
            case Long l -> Long.toString(l);
            case UnsignedLong u -> u.toString();
            default -> throw new FormatError(-1, "decimal clause can only be used on integers, was given " + CelValueTypes.name(arg));
        };
    }

    /** cel-go's {@code clauseForType}: how a member of a list or map is written. */
    private static String member(Object arg) throws FormatError {
        String unquoted = switch (arg) {
            case Long l -> formatDecimal(l);
            case UnsignedLong u -> formatDecimal(u);
            case String s -> s;
            case CelByteString b -> b.toStringUtf8();
            case Boolean b -> b.toString();
            case NullValue n -> "null";
            case List<?> l -> formatList(l);
            case Map<?, ?> m -> formatMap(m);
            case Double d -> Numbers.goFixed(d, DEFAULT_PRECISION);
            default -> {
                String special = timeOrType(arg);
                if (special == null) {
                    throw new FormatError(-1, "no formatting function for " + CelValueTypes.name(arg));
                }
                if (arg instanceof CelType) {
                    yield special;
                }
                boolean timestamp = arg instanceof java.time.Instant || arg instanceof com.google.protobuf.Timestamp;
                yield (timestamp ? "timestamp(" : "duration(") + Text.goQuote(special) + ")";
            }
        };
        return switch (arg) {
            case String s -> Text.goQuote(unquoted);
            case CelByteString b -> "b" + Text.goQuote(unquoted);
            case Double d when d.isNaN() || d.isInfinite() -> Text.goQuote(unquoted);
            default -> unquoted;
        };
    }

    private static String formatList(List<?> list) throws FormatError {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(member(list.get(i)));
        }
        return b.append(']').toString();
    }

    private static String formatMap(Map<?, ?> map) throws FormatError {
        List<String[]> pairs = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object key = e.getKey();
            String k = switch (key) {
                case String s -> Text.goQuote(s);
                case Boolean bo -> bo.toString();
                case Long l -> l.toString();
                case UnsignedLong u -> u.toString();
                default -> throw new FormatError(-1, "no formatting function for map key of type " + CelValueTypes.name(key));
            };
            pairs.add(new String[] {k, member(e.getValue())});
        }
        // Go compares strings byte by byte: UTF-8 order
        pairs.sort(Comparator.comparing((String[] p) -> p[0].getBytes(StandardCharsets.UTF_8), java.util.Arrays::compareUnsigned));
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < pairs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(pairs.get(i)[0]).append(':').append(pairs.get(i)[1]);
        }
        return b.append('}').toString();
    }

    /** Go's number formatting where format() uses it. */
    static final class Numbers {

        private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

        private Numbers() {
        }

        /** strconv.FormatFloat(d, 'g', -1, 64): the shortest digits, %e form when the exponent is below -4 or at least 6. */
        static String shortest(double d) {
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "+Inf" : "-Inf";
            }
            String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
            if (d == 0) {
                return sign + "0";
            }
            BigDecimal v = shortestDecimal(Math.abs(d));
            String digits = v.unscaledValue().toString();
            int exp = digits.length() - 1 - v.scale(); // the exponent of the first digit
            if (exp < -4 || exp >= 6) {
                String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
                return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
            }
            return sign + v.toPlainString();
        }

        /** strconv.FormatFloat(d, 'f', -1, 64): the shortest digits, never an exponent. */
        static String shortestPlain(double d) {
            if (d == 0) {
                return (1 / d < 0) ? "-0" : "0";
            }
            return (d < 0 ? "-" : "") + shortestDecimal(Math.abs(d)).toPlainString();
        }

        /**
         * The decimal with the fewest digits that reads back as {@code d} (the closest of them),
         * as Go's strconv finds it; Java's Double.toString keeps a second digit Go does not
         * ({@code 4.9E-324} for Go's {@code 5e-324}).
         */
        static BigDecimal shortestDecimal(double d) {
            BigDecimal exact = new BigDecimal(d);
            for (int digits = 1; digits < 17; digits++) {
                BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
                if (candidate.doubleValue() == d) {
                    return candidate.stripTrailingZeros();
                }
            }
            return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        }

        /** Go's fmt "%.Nf": exact digits rounded half to even, a sign for any negative value (zero too). */
        static String goFixed(double d, int precision) {
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "+Inf" : "-Inf";
            }
            boolean negative = d < 0 || (d == 0 && 1 / d < 0);
            return (negative ? "-" : "") + new BigDecimal(Math.abs(d)).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        }

        /**
         * golang.org/x/text's "%.Nf" for en_US: thousands grouped, the exact value rounded half
         * to even to {@code int16(N)} fraction digits, trailing zeros kept down to
         * {@code uint8(N)} of them; NaN and ∞ as symbols.
         */
        static String localizedFixed(double d, int precision) throws FormatError {
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "∞" : "-∞";
            }
            int maxFraction = (short) precision;
            int minFraction = precision & 0xFF;
            if (maxFraction < 0) {
                throw new FormatError(-1, "precision " + precision + " is beyond what podguard formats");
            }
            BigDecimal v = new BigDecimal(Math.abs(d)).setScale(maxFraction, RoundingMode.HALF_EVEN);
            String plain = v.toPlainString();
            int dot = plain.indexOf('.');
            String integer = dot < 0 ? plain : plain.substring(0, dot);
            String fraction = dot < 0 ? "" : plain.substring(dot + 1);
            int keep = fraction.length();
            while (keep > minFraction && fraction.charAt(keep - 1) == '0') {
                keep--;
            }
            fraction = fraction.substring(0, keep);
            StringBuilder grouped = new StringBuilder();
            for (int i = 0; i < integer.length(); i++) {
                if (i > 0 && (integer.length() - i) % 3 == 0) {
                    grouped.append(',');
                }
                grouped.append(integer.charAt(i));
            }
            return (d < 0 ? "-" : "") + grouped + (fraction.isEmpty() ? "" : "." + fraction);
        }

        /** golang.org/x/text's "%We" for en_US: seven significant digits, ×10 and a superscript exponent of two digits at least, padded to width W. */
        static String localizedScientific(double d, int width) {
            String out;
            if (Double.isNaN(d)) {
                out = "NaN";
            } else if (Double.isInfinite(d)) {
                out = d > 0 ? "∞" : "-∞";
            } else {
                String digits;
                int exp;
                if (d == 0) {
                    digits = "0000000";
                    exp = 0;
                } else {
                    BigDecimal v = new BigDecimal(Math.abs(d)).round(new MathContext(7, RoundingMode.HALF_EVEN));
                    String unscaled = v.unscaledValue().toString();
                    exp = unscaled.length() - 1 - v.scale();
                    digits = (unscaled + "0000000").substring(0, 7);
                }
                StringBuilder b = new StringBuilder();
                if (d < 0) {
                    b.append('-');
                }
                b.append(digits.charAt(0)).append('.').append(digits, 1, 7).append("×10");
                if (exp < 0) {
                    b.append('⁻');
                }
                String e = Integer.toString(Math.abs(exp));
                if (e.length() < 2) {
                    e = "0" + e;
                }
                for (char c : e.toCharArray()) {
                    b.append(SUPERSCRIPTS.charAt(c - '0'));
                }
                out = b.toString();
            }
            int runes = out.codePointCount(0, out.length());
            return runes >= width ? out : " ".repeat(width - runes) + out;
        }
    }
}
