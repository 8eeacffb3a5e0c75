package io.podguard.e2e;

import io.podguard.engine.Json;
import io.podguard.engine.placement.NamespaceAnnotations;
import io.podguard.engine.placement.NodeSelectors;
import io.podguard.policy.PolicyLoader;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One case for the placement plugins and podguard: a namespace with (or without) the plugins'
 * annotations, the plugins' configuration files, and a pod. It is expressed twice for podguard:
 * with {@code placement.namespaceAnnotations: true} reading the very annotations (and the plugins'
 * configuration as top-level and per-namespace placement), and as policy alone (the annotations'
 * values written into a {@code namespaces} entry), each with the plugins that variant switches on.
 *
 * @param plugins the plugins the case is about
 * @param annotations the namespace's annotations
 * @param clusterDefaultSelector PodNodeSelector's {@code clusterDefaultNodeSelector}; null: none
 * @param namespaceWhitelist PodNodeSelector's whitelist for the namespace; null: none
 * @param clusterDefaultTolerations PodTolerationRestriction's {@code default}; null: none
 * @param clusterWhitelist PodTolerationRestriction's {@code whitelist}; null: none
 */
record PlacementCase(String name, Set<Plugin> plugins, Map<String, String> annotations,
                     @Nullable String clusterDefaultSelector, @Nullable String namespaceWhitelist,
                     @Nullable ArrayNode clusterDefaultTolerations, @Nullable ArrayNode clusterWhitelist, ObjectNode pod) {

    static final String NAMESPACE = "placement-test";

    enum Plugin {
        POD_NODE_SELECTOR("PodNodeSelector"), POD_TOLERATION_RESTRICTION("PodTolerationRestriction"),
        EXTENDED_RESOURCE_TOLERATION("ExtendedResourceToleration");

        final String id;

        Plugin(String id) {
            this.id = id;
        }
    }

    /** The two ways podguard expresses a case. */
    enum Variant {
        /** {@code namespaceAnnotations: true}: the namespace's annotations are read (PodNodeSelector and PodTolerationRestriction both on). */
        ANNOTATIONS,
        /** The annotations' values written as policy; only the case's own plugins on. */
        POLICY
    }

    PlacementCase {
        plugins = plugins.isEmpty() ? EnumSet.noneOf(Plugin.class) : EnumSet.copyOf(plugins);
        annotations = Map.copyOf(annotations);
    }

    /** The plugins the variant runs (and podguard switches on). */
    Set<Plugin> plugins(Variant variant) {
        if (variant == Variant.POLICY) {
            return plugins;
        }
        Set<Plugin> on = EnumSet.of(Plugin.POD_NODE_SELECTOR, Plugin.POD_TOLERATION_RESTRICTION);
        on.addAll(plugins);
        return on;
    }

    /**
     * Whether the variant can say it: the POLICY one only when the annotations read well and are
     * tolerations the policy accepts (it validates them as the plugin validates its configuration
     * file; an annotation is not validated).
     */
    boolean expressible(Variant variant) {
        if (variant == Variant.ANNOTATIONS) {
            return true;
        }
        try {
            PolicyLoader.parse(policy(variant));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The case as placement-plugins reads it. */
    ObjectNode toGo(Variant variant) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("name", name + " [" + variant + "]");
        ArrayNode on = c.putArray("plugins");
        plugins(variant).forEach(p -> on.add(p.id));
        ObjectNode ns = c.putObject("namespace");
        ns.putObject("metadata").put("name", NAMESPACE).set("annotations", Json.mapper().valueToTree(annotations));
        if (clusterDefaultSelector != null || namespaceWhitelist != null) {
            ObjectNode config = Json.mapper().createObjectNode();
            ObjectNode selectors = config.putObject("podNodeSelectorPluginConfig");
            if (clusterDefaultSelector != null) {
                selectors.put("clusterDefaultNodeSelector", clusterDefaultSelector);
            }
            if (namespaceWhitelist != null) {
                selectors.put(NAMESPACE, namespaceWhitelist);
            }
            c.put("podNodeSelectorConfig", config.toString());
        }
        if (clusterDefaultTolerations != null || clusterWhitelist != null) {
            ObjectNode config = Json.mapper().createObjectNode();
            config.put("apiVersion", "podtolerationrestriction.admission.k8s.io/v1alpha1");
            config.put("kind", "Configuration");
            if (clusterDefaultTolerations != null) {
                config.set("default", clusterDefaultTolerations);
            }
            if (clusterWhitelist != null) {
                config.set("whitelist", clusterWhitelist);
            }
            c.put("podTolerationRestrictionConfig", config.toString());
        }
        c.set("pod", pod);
        return c;
    }

    /**
     * The podguard policy (JSON, which is YAML): Pod Security Standards and the other defaults off,
     * the plugins' configuration as top-level placement, the namespace's whitelist (and, in the
     * POLICY variant, its annotations) in a {@code namespaces} entry.
     */
    String policy(Variant variant) {
        Set<Plugin> on = plugins(variant);
        ObjectNode policy = Json.mapper().createObjectNode();
        policy.put("mode", "enforce");
        policy.putObject("podSecurity").put("level", "privileged");
        policy.putObject("defaults").put("enabled", false);
        ObjectNode placement = policy.putObject("placement");
        ObjectNode override = Json.mapper().createObjectNode();
        if (variant == Variant.ANNOTATIONS) {
            placement.put("namespaceAnnotations", true);
        }
        if (on.contains(Plugin.POD_NODE_SELECTOR)) {
            ObjectNode top = placement.putObject("nodeSelector");
            if (clusterDefaultSelector != null) {
                top.set("default", Json.mapper().valueToTree(NodeSelectors.parse(clusterDefaultSelector)));
            }
            ObjectNode own = Json.mapper().createObjectNode();
            if (namespaceWhitelist != null) {
                own.set("allowed", Json.mapper().valueToTree(NodeSelectors.parse(namespaceWhitelist)));
            }
            if (variant == Variant.POLICY && annotations.containsKey(NamespaceAnnotations.NODE_SELECTOR)) {
                own.set("default", Json.mapper().valueToTree(NodeSelectors.parse(annotations.get(NamespaceAnnotations.NODE_SELECTOR))));
            }
            if (!own.isEmpty()) {
                override.putObject("placement").set("nodeSelector", own);
            }
        }
        if (on.contains(Plugin.POD_TOLERATION_RESTRICTION)) {
            ObjectNode top = placement.putObject("tolerations");
            if (clusterDefaultTolerations != null) {
                top.set("default", clusterDefaultTolerations);
            }
            if (clusterWhitelist != null) {
                top.set("allowed", clusterWhitelist);
            }
            if (variant == Variant.POLICY) {
                ObjectNode own = Json.mapper().createObjectNode();
                if (annotations.containsKey(NamespaceAnnotations.DEFAULT_TOLERATIONS)) {
                    own.set("default", tolerationList(annotations.get(NamespaceAnnotations.DEFAULT_TOLERATIONS)));
                }
                if (annotations.containsKey(NamespaceAnnotations.TOLERATIONS_WHITELIST)) {
                    own.set("allowed", tolerationList(annotations.get(NamespaceAnnotations.TOLERATIONS_WHITELIST)));
                }
                if (!own.isEmpty()) {
                    (override.has("placement") ? (ObjectNode) override.get("placement") : override.putObject("placement")).set("tolerations", own);
                }
            }
        }
        if (on.contains(Plugin.EXTENDED_RESOURCE_TOLERATION)) {
            placement.putObject("extendedResourceTolerations");
        }
        if (!override.isEmpty()) {
            override.putArray("names").add(NAMESPACE);
            policy.putArray("namespaces").add(override);
        }
        return policy.toString();
    }

    /** An annotation's tolerations as policy: the JSON list, its empty fields left out; empty text and null are no tolerations. */
    private static ArrayNode tolerationList(String value) {
        ArrayNode out = Json.mapper().createArrayNode();
        if (value.isEmpty()) {
            return out;
        }
        JsonNode list = Json.mapper().readTree(value);
        if (list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("not a list");
        }
        for (JsonNode t : list) {
            ObjectNode clean = Json.mapper().createObjectNode();
            if (t.isObject()) {
                for (String field : List.of("key", "operator", "value", "effect")) {
                    if (t.has(field) && !t.get(field).isNull()) {
                        if (!t.get(field).isString()) {
                            throw new IllegalArgumentException(field);
                        }
                        if (!t.get(field).asString().isEmpty()) {
                            clean.put(field, t.get(field).asString());
                        }
                    }
                }
                if (t.has("tolerationSeconds") && !t.get("tolerationSeconds").isNull()) {
                    if (!t.get("tolerationSeconds").isIntegralNumber()) {
                        throw new IllegalArgumentException("tolerationSeconds");
                    }
                    clean.put("tolerationSeconds", t.get("tolerationSeconds").asLong());
                }
            } else if (!t.isNull()) {
                throw new IllegalArgumentException("not an object");
            }
            out.add(clean);
        }
        return out;
    }

    // ---- builders for the corpus ----

    static ObjectNode pod(String yamlSpec) {
        ObjectNode pod = Json.mapper().createObjectNode();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "test-pod").put("namespace", NAMESPACE);
        pod.set("spec", YAML.readTree(yamlSpec));
        return pod;
    }

    static Map<String, String> annotations(String... keyValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put(keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    static ArrayNode tolerations(String json) {
        return (ArrayNode) Json.mapper().readTree(json);
    }

    private static final tools.jackson.dataformat.yaml.YAMLMapper YAML = tools.jackson.dataformat.yaml.YAMLMapper.builder().build();
}
