package io.podguard.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * A resource quantity as the apiserver reads and writes it ({@code resource.ParseQuantity} and
 * {@code Quantity.String()} of k8s.io/apimachinery): its exact value, rounded up to the nano as
 * the apiserver stores it, and its canonical text ({@code 1.5Gi} is {@code 1536Mi}, {@code 0.5} is
 * {@code 500m}), which is how LimitRanger and the apiserver's validation name quantities in their
 * messages. Written by hand: fabric8's {@code Quantity} keeps the text as written, compares by
 * value only, and accepts strings the apiserver refuses.
 *
 * @param value the exact value
 * @param text the canonical text, as {@code Quantity.String()} gives it
 * @param format how it was written, which is how its sums are written
 */
public record KubeQuantity(BigDecimal value, String text, Format format) implements Comparable<KubeQuantity> {

    /** {@code resource.MaxMilliValue}: above it, LimitRanger compares whole units instead of thousandths. */
    public static final BigInteger MAX_MILLI_VALUE = BigInteger.valueOf(Long.MAX_VALUE / 1000);
    private static final BigDecimal INT64_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final String FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    /** Longer strings are refused before parsing: no resource quantity needs them, and they cost. */
    private static final int MAX_LENGTH = 64;
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    /** Exponents beyond this are refused: 1e1000 already dwarfs any resource, and larger ones cost memory. */
    private static final int MAX_EXPONENT = 1000;

    /** {@code resource.Format}: decimal suffixes (or none), binary suffixes, or an exponent. */
    public enum Format { DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT }

    public static final KubeQuantity ZERO = new KubeQuantity(BigDecimal.ZERO, "0", Format.DECIMAL_SI);

    /**
     * Parses {@code text} as the apiserver does.
     *
     * @throws IllegalArgumentException with the apiserver's reason when it is not a quantity
     */
    public static KubeQuantity parse(String text) {
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(FORMAT_WRONG);
        }
        if (text.equals("0")) {
            return ZERO;
        }
        // parseQuantityString: sign, leading zeros, numerator, denominator, suffix
        int pos = 0;
        int end = text.length();
        boolean positive = true;
        if (text.charAt(0) == '-' || text.charAt(0) == '+') {
            positive = text.charAt(0) == '+';
            pos++;
        }
        while (pos < end && text.charAt(pos) == '0') {
            pos++;
        }
        int numStart = pos;
        while (pos < end && isDigit(text.charAt(pos))) {
            pos++;
        }
        String num = text.substring(numStart, pos);
        if (num.isEmpty()) {
            num = "0";
        }
        String denom = "";
        if (pos < end && text.charAt(pos) == '.') {
            pos++;
            int denomStart = pos;
            while (pos < end && isDigit(text.charAt(pos))) {
                pos++;
            }
            denom = text.substring(denomStart, pos);
        }
        int suffixStart = pos;
        while (pos < end && "eEinumkKMGTP".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        if (pos < end && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
            pos++;
        }
        while (pos < end && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos < end) {
            throw new IllegalArgumentException(FORMAT_WRONG);
        }
        String suffix = text.substring(suffixStart);
        int base;
        int exponent;
        Format format;
        switch (suffix) {
            case "" -> { base = 10; exponent = 0; format = Format.DECIMAL_SI; }
            case "n" -> { base = 10; exponent = -9; format = Format.DECIMAL_SI; }
            case "u" -> { base = 10; exponent = -6; format = Format.DECIMAL_SI; }
            case "m" -> { base = 10; exponent = -3; format = Format.DECIMAL_SI; }
            case "k" -> { base = 10; exponent = 3; format = Format.DECIMAL_SI; }
            case "M" -> { base = 10; exponent = 6; format = Format.DECIMAL_SI; }
            case "G" -> { base = 10; exponent = 9; format = Format.DECIMAL_SI; }
            case "T" -> { base = 10; exponent = 12; format = Format.DECIMAL_SI; }
            case "P" -> { base = 10; exponent = 15; format = Format.DECIMAL_SI; }
            case "E" -> { base = 10; exponent = 18; format = Format.DECIMAL_SI; }
            case "Ki" -> { base = 2; exponent = 10; format = Format.BINARY_SI; }
            case "Mi" -> { base = 2; exponent = 20; format = Format.BINARY_SI; }
            case "Gi" -> { base = 2; exponent = 30; format = Format.BINARY_SI; }
            case "Ti" -> { base = 2; exponent = 40; format = Format.BINARY_SI; }
            case "Pi" -> { base = 2; exponent = 50; format = Format.BINARY_SI; }
            case "Ei" -> { base = 2; exponent = 60; format = Format.BINARY_SI; }
            default -> {
                if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
                    try {
                        exponent = Integer.parseInt(suffix.substring(1));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unable to parse quantity's suffix");
                    }
                    if (Math.abs(exponent) > MAX_EXPONENT) {
                        throw new IllegalArgumentException("unable to parse quantity's suffix");
                    }
                    base = 10;
                    format = Format.DECIMAL_EXPONENT;
                } else {
                    throw new IllegalArgumentException("unable to parse quantity's suffix");
                }
            }
        }
        BigDecimal magnitude = new BigDecimal(new BigInteger(num + denom), denom.length());
        magnitude = base == 10 ? magnitude.scaleByPowerOfTen(exponent) : magnitude.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(exponent)));
        String kept = keptText(text, num, denom, base, exponent, format);
        if (magnitude.signum() != 0 && magnitude.scale() > 9) {
            // as the apiserver: below the nano, rounded up, so that asking for a little gets a little
            magnitude = magnitude.setScale(9, RoundingMode.UP);
            kept = null;
        }
        if (format == Format.BINARY_SI && magnitude.compareTo(INT64_MAX) > 0) {
            magnitude = INT64_MAX;
            kept = null;
        }
        if (format == Format.BINARY_SI && kept == null && magnitude.signum() > 0 && magnitude.compareTo(BigDecimal.ONE) < 0) {
            format = Format.DECIMAL_SI;
        }
        BigDecimal value = positive ? magnitude : magnitude.negate();
        return new KubeQuantity(value, kept != null ? kept : canonical(value, format), format);
    }

    /** The quantity, or null when {@code text} is not one. */
    public static @Nullable KubeQuantity parseOrNull(@Nullable String text) {
        if (text == null) {
            return null;
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A quantity of {@code value} in {@code format}, written as the apiserver writes it. */
    public static KubeQuantity of(BigDecimal value, Format format) {
        return new KubeQuantity(value, canonical(value, format), format);
    }

    /** {@code Quantity.Value()}: the value rounded up to a whole number. */
    public BigInteger ceil() {
        return value.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    }

    /** {@code Quantity.MilliValue()}: the value in thousandths, rounded up. */
    public BigInteger milliCeil() {
        return value.multiply(THOUSAND).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    }

    public int signum() {
        return value.signum();
    }

    @Override
    public int compareTo(KubeQuantity o) {
        return value.compareTo(o.value);
    }

    /** {@code Quantity.Add}: the sum, in this quantity's format (the other's when this one is zero). */
    public KubeQuantity plus(KubeQuantity other) {
        return of(value.add(other.value), value.signum() == 0 ? other.format : format);
    }

    /** This quantity in another format ({@code 1073741824} as {@code 1Gi}). */
    public KubeQuantity as(Format other) {
        return of(value, other);
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * The text as written when the apiserver keeps it ({@code ParseQuantity}'s fast path keeps a
     * string already in canonical form, and a binary one not divisible by 8), else null.
     */
    private static @Nullable String keptText(String text, String num, String denom, int base, int exponent, Format format) {
        if (format == Format.BINARY_SI) {
            int precision = 15 - num.length() - (int) ((float) exponent * 3 / 10) - 1;
            if (!denom.isEmpty() || precision < 0 || num.length() > 18) {
                return null;
            }
            long value = Long.parseLong(num);
            BigInteger result = BigInteger.valueOf(value).shiftLeft(exponent);
            if (result.bitLength() > 63) {
                return null;
            }
            return exponent % 10 == 0 && (value & 0x07) != 0 ? text : null;
        }
        int precision = 18 - (num.length() + denom.length());
        int scale = exponent - denom.length();
        if (precision < 0 || scale < -9) {
            return null;
        }
        String shifted = num + denom;
        return scale % 3 == 0 && !shifted.endsWith("000") && shifted.charAt(0) != '0' ? text : null;
    }

    /** {@code Quantity.CanonicalizeBytes}. */
    private static String canonical(BigDecimal value, Format format) {
        if (value.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI) {
            boolean small = value.abs().compareTo(BigDecimal.valueOf(1024)) < 0;
            boolean whole = value.stripTrailingZeros().scale() <= 0;
            if (small || !whole) {
                format = Format.DECIMAL_SI;
            } else {
                BigInteger amount = value.toBigIntegerExact();
                if (amount.bitLength() < 63) {
                    // Every quantity a pod sets: the same steps in a long, without a BigInteger per step.
                    long units = amount.longValue();
                    int times = 0;
                    while (times < 6 && units % 1024 == 0) {
                        units /= 1024;
                        times++;
                    }
                    return times == 0 ? Long.toString(units) : units + BINARY_SUFFIXES[times];
                }
                BigInteger k = BigInteger.valueOf(1024);
                int times = 0;
                while (times < 6 && amount.mod(k).signum() == 0) {
                    amount = amount.divide(k);
                    times++;
                }
                return amount + BINARY_SUFFIXES[times];
            }
        }
        BigDecimal stripped = value.stripTrailingZeros();
        BigInteger amount = stripped.unscaledValue();
        int exponent = -stripped.scale();
        int down = Math.floorMod(exponent, 3);
        amount = amount.multiply(BigInteger.TEN.pow(down));
        exponent -= down;
        String suffix;
        if (format == Format.DECIMAL_EXPONENT) {
            suffix = exponent == 0 ? "" : "e" + exponent;
        } else {
            suffix = switch (exponent) {
                case -9 -> "n";
                case -6 -> "u";
                case -3 -> "m";
                case 0 -> "";
                case 3 -> "k";
                case 6 -> "M";
                case 9 -> "G";
                case 12 -> "T";
                case 15 -> "P";
                case 18 -> "E";
                default -> "e" + exponent;
            };
        }
        return amount + suffix;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }
}
