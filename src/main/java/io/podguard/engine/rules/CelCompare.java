package io.podguard.engine.rules;

import dev.cel.common.values.CelByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CEL's ordering, addition and equality over runtime values, for the Kubernetes libraries that
 * compare list elements (cel-go's {@code traits.Comparer}, {@code traits.Adder},
 * {@code ref.Val.Equal}): numbers compare across int, uint and double; equality of lists and
 * maps is element-wise.
 */
final class CelCompare {

    private CelCompare() {
    }

    static int compare(Object a, Object b) throws CelEvaluationException {
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b);
        }
        if (a instanceof String x && b instanceof String y) {
            return Integer.signum(x.compareTo(y));
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        if (a instanceof CelByteString x && b instanceof CelByteString y) {
            return Integer.signum(CelByteString.unsignedLexicographicalComparator().compare(x, y));
        }
        if (a instanceof Duration x && b instanceof Duration y) {
            return x.getSeconds() != y.getSeconds() ? Long.compare(x.getSeconds(), y.getSeconds()) : Integer.compare(x.getNanos(), y.getNanos());
        }
        if (a instanceof Timestamp x && b instanceof Timestamp y) {
            return x.getSeconds() != y.getSeconds() ? Long.compare(x.getSeconds(), y.getSeconds()) : Integer.compare(x.getNanos(), y.getNanos());
        }
        throw new CelEvaluationException("no such overload");
    }

    static Object add(Object a, Object b) throws CelEvaluationException {
        if (a instanceof Long x && b instanceof Long y) {
            try {
                return Math.addExact(x, y);
            } catch (ArithmeticException e) {
                throw new CelEvaluationException("integer overflow");
            }
        }
        if (a instanceof Double x && b instanceof Double y) {
            return x + y;
        }
        if (a instanceof com.google.common.primitives.UnsignedLong x && b instanceof com.google.common.primitives.UnsignedLong y) {
            return x.plus(y);
        }
        throw new CelEvaluationException("no such overload");
    }

    static boolean equal(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b) == 0 && !(isNaN(a) || isNaN(b));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof NullValue || b instanceof NullValue) {
            return a instanceof NullValue && b instanceof NullValue;
        }
        return Objects.equals(a, b);
    }

    private static boolean isNumber(Object o) {
        return o instanceof Long || o instanceof Double || o instanceof com.google.common.primitives.UnsignedLong;
    }

    private static boolean isNaN(Object o) {
        return o instanceof Double d && d.isNaN();
    }

    private static int compareNumbers(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Double || b instanceof Double) {
            return Double.compare(((Number) toNumber(a)).doubleValue(), ((Number) toNumber(b)).doubleValue());
        }
        return Integer.signum(new java.math.BigInteger(a.toString()).compareTo(new java.math.BigInteger(b.toString())));
    }

    private static Object toNumber(Object o) {
        return o instanceof com.google.common.primitives.UnsignedLong u ? u.doubleValue() : o;
    }
}
