package io.podguard.policy;

import io.podguard.engine.Json;
import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.engine.KubeQuantity;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What the apiserver's LimitRange validation checks, for the {@code resources} rules and the
 * resource defaults together: a default limit above {@code max} or below {@code min}, a default
 * request outside them, defaults whose ratio exceeds {@code maxLimitRequestRatio}, a ratio above
 * {@code max/min}. Each would get every pod podguard defaults denied by podguard itself, so the
 * policy is refused, with the path of the value to change. Checked for the top level and for each
 * {@code namespaces} entry, whose sections replace the top level's.
 */
final class ResourceDefaultsConsistency {

    private ResourceDefaultsConsistency() {
    }

    /** Every inconsistency of {@code root}, a document the validator found otherwise valid. */
    static List<String> errors(JsonNode root) {
        Policy policy;
        try {
            policy = Json.mapper().treeToValue(root, Policy.class);
        } catch (RuntimeException e) {
            return List.of(); // not bindable: the binding reports it
        }
        List<String> errors = new ArrayList<>();
        check(policy.defaults(), policy.resources(), root, "", "", errors);
        for (int i = 0; i < policy.namespaces().size(); i++) {
            NamespacePolicy n = policy.namespaces().get(i);
            if (n.defaults() == null && n.resources() == null) {
                continue; // the top level's, already checked
            }
            Policy applied = n.applyTo(policy);
            check(applied.defaults(), applied.resources(), root,
                    n.defaults() != null ? "namespaces[" + i + "]." : "", n.resources() != null ? "namespaces[" + i + "]." : "", errors);
        }
        return errors;
    }

    private static void check(DefaultsConfig defaults, @Nullable ResourceRulesConfig rules, JsonNode defaultsRoot,
                              String defaultsPrefix, String rulesPrefix, List<String> errors) {
        if (rules == null) {
            return;
        }
        for (String scope : List.of("", "pod.")) {
            Map<String, String> min = scope.isEmpty() ? rules.min() : rules.pod().min();
            Map<String, String> max = scope.isEmpty() ? rules.max() : rules.pod().max();
            Map<String, String> ratio = scope.isEmpty() ? rules.maxLimitRequestRatio() : rules.pod().maxLimitRequestRatio();
            ratio.forEach((r, text) -> {
                KubeQuantity lo = qOrNull(min.get(r));
                KubeQuantity hi = qOrNull(max.get(r));
                if (lo != null && hi != null && lo.signum() > 0) {
                    BigDecimal most = hi.value().divide(lo.value(), MathContext.DECIMAL64);
                    if (q(text).value().compareTo(most) > 0) {
                        errors.add(rulesPrefix + "resources." + scope + "maxLimitRequestRatio." + r + ": " + text
                                + " is above max/min = " + most.stripTrailingZeros().toPlainString() + " (" + max.get(r) + " / " + min.get(r)
                                + "): no container within min and max can reach it");
                    }
                }
            });
        }
        DefaultsConfig.Resources resources = defaults.resources();
        if (!defaults.isEnabled() || !resources.isEnabled()) {
            return;
        }
        boolean ownLimits = !defaultsRoot.at(pointer(defaultsPrefix) + "/defaults/resources/limits").isMissingNode();
        boolean ownRequests = !defaultsRoot.at(pointer(defaultsPrefix) + "/defaults/resources/requests").isMissingNode();
        TreeSet<String> names = new TreeSet<>(resources.requests().keySet());
        names.addAll(resources.limits().keySet());
        if (resources.ephemeralStorage().isEnabled()) {
            names.add("ephemeral-storage");
        }
        for (String r : names) {
            String limitText = resources.limits().get(r);
            String limitPath = defaultsPrefix + "defaults.resources.limits." + r;
            boolean limitBuiltIn = !ownLimits;
            if (limitText == null && r.equals("ephemeral-storage") && resources.ephemeralStorage().isEnabled()) {
                limitText = resources.ephemeralStorage().limit();
                limitPath = defaultsPrefix + "defaults.resources.ephemeralStorage.limit";
                limitBuiltIn = false;
            }
            String requestText = resources.requests().get(r);
            String requestPath = defaultsPrefix + "defaults.resources.requests." + r;
            boolean requestBuiltIn = !ownRequests;
            if (requestText == null && r.equals("ephemeral-storage") && resources.ephemeralStorage().isEnabled()) {
                requestText = resources.ephemeralStorage().request();
                requestPath = defaultsPrefix + "defaults.resources.ephemeralStorage.request";
                requestBuiltIn = false;
            }
            String maxText = rules.max().get(r);
            String minText = rules.min().get(r);
            bound(errors, limitPath, limitText, limitBuiltIn, rulesPrefix + "resources.max." + r, maxText, true);
            bound(errors, limitPath, limitText, limitBuiltIn, rulesPrefix + "resources.min." + r, minText, false);
            bound(errors, requestPath, requestText, requestBuiltIn, rulesPrefix + "resources.max." + r, maxText, true);
            bound(errors, requestPath, requestText, requestBuiltIn, rulesPrefix + "resources.min." + r, minText, false);
            // the request a defaulted container gets: the configured one, else (implied) the limit
            String effectiveRequest = requestText != null ? requestText : resources.impliesFromRules() ? limitText : null;
            String ratioText = rules.maxLimitRequestRatio().get(r);
            if (limitText != null && effectiveRequest != null && ratioText != null && q(effectiveRequest).signum() > 0) {
                BigDecimal times = q(limitText).value().divide(q(effectiveRequest).value(), MathContext.DECIMAL64);
                if (q(limitText).value().compareTo(q(effectiveRequest).value().multiply(q(ratioText).value())) > 0) {
                    errors.add(limitPath + ": " + limitText + builtIn(limitBuiltIn) + " is " + times.stripTrailingZeros().toPlainString()
                            + " times the default request " + effectiveRequest + ", above " + rulesPrefix + "resources.maxLimitRequestRatio."
                            + r + " " + ratioText + ": every pod it defaults would be denied");
                }
            }
        }
    }

    /** A default on the wrong side of a bound: {@code upper} for {@code max}, else {@code min}. */
    private static void bound(List<String> errors, String path, @Nullable String value, boolean builtIn, String boundPath,
                              @Nullable String bound, boolean upper) {
        if (value == null || bound == null) {
            return;
        }
        int c = q(value).compareTo(q(bound));
        if (upper ? c > 0 : c < 0) {
            errors.add(path + ": " + value + builtIn(builtIn) + " is " + (upper ? "above " : "below ") + boundPath + " " + bound
                    + ": every pod it defaults would be denied");
        }
    }

    private static String builtIn(boolean builtIn) {
        return builtIn ? " (podguard's built-in default; give the map to replace it)" : "";
    }

    private static String pointer(String prefix) {
        if (prefix.isEmpty()) {
            return "";
        }
        // "namespaces[3]." → "/namespaces/3"
        return "/" + prefix.substring(0, prefix.length() - 1).replace("[", "/").replace("]", "");
    }

    private static KubeQuantity q(String text) {
        return KubeQuantity.parse(text);
    }

    private static @Nullable KubeQuantity qOrNull(@Nullable String text) {
        return text == null ? null : KubeQuantity.parse(text);
    }
}
