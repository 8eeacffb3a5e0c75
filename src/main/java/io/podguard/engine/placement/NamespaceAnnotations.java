package io.podguard.engine.placement;

import io.podguard.engine.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The namespace annotations of kube-apiserver's placement plugins, honoured with
 * {@code placement.namespaceAnnotations: true} so that a cluster migrating from the plugins keeps
 * its namespaces as they are. An annotation that is present wins over the policy, even when empty
 * (an empty selector, no default tolerations, no whitelist), as with the plugins.
 */
public final class NamespaceAnnotations {

    /** PodNodeSelector's: the namespace's node selector, {@code key=value,key=value}. */
    public static final String NODE_SELECTOR = "scheduler.alpha.kubernetes.io/node-selector";
    /** PodTolerationRestriction's: the namespace's default tolerations, a JSON list. */
    public static final String DEFAULT_TOLERATIONS = "scheduler.alpha.kubernetes.io/defaultTolerations";
    /** PodTolerationRestriction's: the namespace's whitelist of tolerations, a JSON list. */
    public static final String TOLERATIONS_WHITELIST = "scheduler.alpha.kubernetes.io/tolerationsWhitelist";

    private NamespaceAnnotations() {
    }

    /**
     * {@code policy} with the namespace's annotations read into its node selector and tolerations.
     * An annotation that cannot be read leaves the part in force with an error: every pod of the
     * namespace is refused (in the part's mode) until it is fixed, as the plugins refuse them.
     */
    public static PlacementPolicy apply(PlacementPolicy policy, Map<String, String> annotations) {
        NodeSelectorPlacement selector = policy.nodeSelector();
        String nodeSelector = annotations.get(NODE_SELECTOR);
        if (selector != null && nodeSelector != null) {
            try {
                selector = new NodeSelectorPlacement(selector.mode(), NodeSelectors.parse(nodeSelector), selector.whitelist(), null);
            } catch (IllegalArgumentException e) {
                selector = new NodeSelectorPlacement(selector.mode(), Map.of(), selector.whitelist(),
                        "namespace annotation " + NODE_SELECTOR + " is not a node selector: " + e.getMessage());
            }
        }
        TolerationPlacement tolerations = policy.tolerations();
        if (tolerations != null) {
            List<Toleration> defaults = tolerations.defaults();
            List<Toleration> whitelist = tolerations.whitelist();
            String scope = tolerations.whitelistScope();
            String defaultsError = null;
            String whitelistError = null;
            String value = annotations.get(DEFAULT_TOLERATIONS);
            if (value != null) {
                try {
                    defaults = parse(value);
                } catch (IllegalArgumentException e) {
                    defaults = List.of();
                    defaultsError = "namespace annotation " + DEFAULT_TOLERATIONS + " is not a list of tolerations: " + e.getMessage();
                }
            }
            value = annotations.get(TOLERATIONS_WHITELIST);
            if (value != null) {
                scope = TolerationPlacement.NAMESPACE;
                try {
                    whitelist = parse(value);
                } catch (IllegalArgumentException e) {
                    whitelist = List.of();
                    whitelistError = "namespace annotation " + TOLERATIONS_WHITELIST + " is not a list of tolerations: " + e.getMessage();
                }
            }
            tolerations = new TolerationPlacement(tolerations.mode(), defaults, whitelist, scope, defaultsError, whitelistError);
        }
        return policy.with(selector, tolerations);
    }

    /**
     * A JSON list of tolerations as Go's {@code encoding/json} reads it into {@code []v1.Toleration}:
     * empty text and {@code null} are the empty list, a missing field is empty, a field of the wrong
     * type is an error, as is {@code tolerationSeconds} that is not a whole number.
     */
    static List<Toleration> parse(String value) {
        if (value.isEmpty()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON (" + firstLine(e.getOriginalMessage()) + ")");
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return List.of();
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("expected a JSON list, got " + root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        if (root.size() > Tolerations.MAX) {
            throw new IllegalArgumentException("more than " + Tolerations.MAX + " tolerations");
        }
        List<Toleration> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode t = root.get(i);
            if (t.isNull()) {
                out.add(new Toleration("", "", "", "", null));
                continue;
            }
            if (!t.isObject()) {
                throw new IllegalArgumentException("entry " + i + " is not an object");
            }
            for (String field : new String[] {"key", "operator", "value", "effect"}) {
                JsonNode f = t.get(field);
                if (f != null && !f.isNull() && !f.isString()) {
                    throw new IllegalArgumentException("entry " + i + ": " + field + " is not a string");
                }
            }
            JsonNode seconds = t.get("tolerationSeconds");
            if (seconds != null && !seconds.isNull() && !(seconds.isIntegralNumber() && seconds.canConvertToLong())) {
                throw new IllegalArgumentException("entry " + i + ": tolerationSeconds is not a whole number");
            }
            out.add(Toleration.of(t));
        }
        return out;
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
