package io.podguard.engine.resources;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code resources.maxLimitRequestRatio}, LimitRanger's rule of the same name: a container must
 * set both a request and a limit, and the limit divided by the request must not exceed the ratio.
 */
public final class ResourceRatioCheck implements ResourceCheck {

    public static final String ID = "resources.maxLimitRequestRatio";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public @Nullable Violation check(PodObject pod, ResourceRules rules) {
        List<String> details = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (ContainerResources c : ContainerResources.of(pod)) {
            for (Map.Entry<String, ResourceRules.Bound> e : rules.maxLimitRequestRatio().entrySet()) {
                String r = e.getKey();
                BigDecimal limit = ContainerResources.amount(c.limit(r));
                BigDecimal request = ContainerResources.amount(c.request(r));
                if (c.limit(r) == null || c.request(r) == null || request != null && request.signum() == 0) {
                    details.add("container \"" + c.name() + "\" must request and limit " + r
                            + " (maximum limit/request ratio " + e.getValue() + ")");
                    paths.add(c.path() + (c.limit(r) == null ? ".limits." : ".requests.") + r);
                } else if (limit != null && request != null) {
                    BigDecimal ratio = limit.divide(request, MathContext.DECIMAL64);
                    if (ratio.compareTo(e.getValue().amount()) > 0) {
                        details.add("container \"" + c.name() + "\" " + r + " limit/request ratio "
                                + ratio.setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()
                                + ", above " + e.getValue());
                        paths.add(c.path() + ".limits." + r);
                    }
                }
            }
        }
        return ResourceCheck.violation(ID, "limit/request ratio", details, paths);
    }
}
