package io.podguard.engine.resources;

import io.podguard.engine.KubeQuantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * LimitRanger's three constraints ({@code minConstraint}, {@code maxConstraint},
 * {@code limitRequestRatioConstraint} of plugin/pkg/admission/limitranger), over one set of
 * requests and limits (a container's, or a pod's totals), with its messages word for word.
 * Values are compared as LimitRanger compares them: in thousandths rounded up, or in whole units
 * rounded up when any of them is too large for thousandths. The ratio is compared exactly
 * ({@code limit > request × ratio} in integers) where LimitRanger divides in floating point; its
 * message shows the quotient as LimitRanger prints it ({@code %f}).
 */
final class LimitConstraints {

    private LimitConstraints() {
    }

    /** A request at least {@code enforced} (so a request at all), and a limit, if any, not below it. */
    static @Nullable String min(String limitType, String resource, KubeQuantity enforced,
                                Map<String, KubeQuantity> requests, Map<String, KubeQuantity> limits) {
        KubeQuantity req = requests.get(resource);
        KubeQuantity lim = limits.get(resource);
        BigInteger[] v = values(req, lim, enforced);
        if (req == null) {
            return "minimum " + resource + " usage per " + limitType + " is " + enforced + ".  No request is specified";
        }
        if (v[0].compareTo(v[2]) < 0) {
            return "minimum " + resource + " usage per " + limitType + " is " + enforced + ", but request is " + req;
        }
        if (lim != null && v[1].compareTo(v[2]) < 0) {
            return "minimum " + resource + " usage per " + limitType + " is " + enforced + ", but limit is " + lim;
        }
        return null;
    }

    /** A limit (which must be set) and a request, if any, at most {@code enforced}. */
    static @Nullable String max(String limitType, String resource, KubeQuantity enforced,
                                Map<String, KubeQuantity> requests, Map<String, KubeQuantity> limits) {
        KubeQuantity req = requests.get(resource);
        KubeQuantity lim = limits.get(resource);
        BigInteger[] v = values(req, lim, enforced);
        if (lim == null) {
            return "maximum " + resource + " usage per " + limitType + " is " + enforced + ".  No limit is specified";
        }
        if (v[1].compareTo(v[2]) > 0) {
            return "maximum " + resource + " usage per " + limitType + " is " + enforced + ", but limit is " + lim;
        }
        if (req != null && v[0].compareTo(v[2]) > 0) {
            return "maximum " + resource + " usage per " + limitType + " is " + enforced + ", but request is " + req;
        }
        return null;
    }

    /** A request and a limit, neither 0, with limit / request at most {@code enforced}. */
    static @Nullable String ratio(String limitType, String resource, KubeQuantity enforced,
                                  Map<String, KubeQuantity> requests, Map<String, KubeQuantity> limits) {
        KubeQuantity req = requests.get(resource);
        KubeQuantity lim = limits.get(resource);
        BigInteger[] v = values(req, lim, enforced);
        String prefix = resource + " max limit to request ratio per " + limitType + " is " + enforced;
        if (req == null || v[0].signum() == 0) {
            return prefix + ", but no request is specified or request is 0";
        }
        if (lim == null || v[1].signum() == 0) {
            return prefix + ", but no limit is specified or limit is 0";
        }
        boolean exceeded = enforced.ceil().compareTo(KubeQuantity.MAX_MILLI_VALUE) <= 0
                ? v[1].multiply(BigInteger.valueOf(1000)).compareTo(enforced.milliCeil().multiply(v[0])) > 0
                : v[1].compareTo(enforced.ceil().multiply(v[0])) > 0;
        if (!exceeded) {
            return null;
        }
        double observed = v[1].doubleValue() / v[0].doubleValue();
        return prefix + ", but provided ratio is " + new BigDecimal(observed).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    /**
     * {@code requestLimitEnforcedValues}: request, limit and enforced value (0 when absent) rounded up
     * to whole units, or to thousandths when all three are small enough for that.
     */
    private static BigInteger[] values(@Nullable KubeQuantity req, @Nullable KubeQuantity lim, KubeQuantity enforced) {
        KubeQuantity r = req == null ? KubeQuantity.ZERO : req;
        KubeQuantity l = lim == null ? KubeQuantity.ZERO : lim;
        BigInteger[] whole = {r.ceil(), l.ceil(), enforced.ceil()};
        for (BigInteger w : whole) {
            if (w.compareTo(KubeQuantity.MAX_MILLI_VALUE) > 0) {
                return whole;
            }
        }
        return new BigInteger[] {r.milliCeil(), l.milliCeil(), enforced.milliCeil()};
    }
}
