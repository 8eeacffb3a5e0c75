package io.podguard.policy;

import io.podguard.engine.Glob;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.podguard.engine.RuleKinds;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import io.podguard.engine.placement.LabelSyntax;
import io.podguard.engine.placement.Toleration;
import io.podguard.engine.resources.ResourceRules;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Checks a policy document against the Java model, before binding, and reports EVERY error with
 * its field path ({@code podSecurity.level: "strict" is not one of privileged, baseline, restricted}).
 * The structure (keys, types, enums) comes from the records by reflection, so a section that
 * gains a key is validated without touching this class; the meaning of strings (levels,
 * versions, globs, quantities, check ids, selectors) comes from the field rules below.
 */
final class PolicyValidator {

    /** A check on one field's node, in place of the type's own. */
    @FunctionalInterface
    private interface FieldRule {
        void check(PolicyValidator v, JsonNode node, String path);
    }

    /** A check across the fields of one section, run when its fields are individually valid. */
    @FunctionalInterface
    private interface SectionRule {
        void check(PolicyValidator v, JsonNode node, String path);
    }

    private static final Pattern RESOURCE_NAME = Pattern.compile(
            "cpu|memory|ephemeral-storage|hugepages-[0-9A-Za-z.]+|[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[-a-zA-Z0-9_.]+");
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[^:\\s]+:[^:\\s]+");
    private static final Set<String> SELECTOR_OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private static final Map<String, FieldRule> FIELD_RULES = new LinkedHashMap<>();
    private static final Map<Class<?>, SectionRule> SECTION_RULES = new LinkedHashMap<>();

    static {
        FIELD_RULES.put("Policy.apiVersion", (v, n, p) -> v.constant(n, p, Policy.API_VERSION));
        FIELD_RULES.put("Policy.kind", (v, n, p) -> v.constant(n, p, Policy.KIND));
        FIELD_RULES.put("PodSecurityConfig.level", PolicyValidator::level);
        FIELD_RULES.put("PodSecurityConfig.version", PolicyValidator::version);
        FIELD_RULES.put("ModeLevel.level", PolicyValidator::level);
        FIELD_RULES.put("ModeLevel.version", PolicyValidator::version);
        FIELD_RULES.put("ResourceRulesConfig.min", PolicyValidator::quantities);
        FIELD_RULES.put("ResourceRulesConfig.max", PolicyValidator::quantities);
        FIELD_RULES.put("ResourceRulesConfig.maxLimitRequestRatio", PolicyValidator::quantities);
        FIELD_RULES.put("PodBounds.min", PolicyValidator::quantities);
        FIELD_RULES.put("PodBounds.max", PolicyValidator::quantities);
        FIELD_RULES.put("PodBounds.maxLimitRequestRatio", PolicyValidator::quantities);
        FIELD_RULES.put("Required.requests", PolicyValidator::resourceNames);
        FIELD_RULES.put("Required.limits", PolicyValidator::resourceNames);
        for (String matcher : List.of("namespaces", "usernames", "groups", "runtimeClassNames")) {
            FIELD_RULES.put("Exemption." + matcher, PolicyValidator::globs);
        }
        FIELD_RULES.put("Exemption.images", PolicyValidator::imagePatterns);
        FIELD_RULES.put("Exemption.serviceAccounts", PolicyValidator::serviceAccounts);
        FIELD_RULES.put("Exemption.checks", PolicyValidator::checkIds);
        FIELD_RULES.put("NamespacePolicy.names", PolicyValidator::globs);
        FIELD_RULES.put("NamespacePolicy.selector", PolicyValidator::selector);
        FIELD_RULES.put("NodeSelector.default", PolicyValidator::labels);
        FIELD_RULES.put("NodeSelector.allowed", PolicyValidator::labels);
        FIELD_RULES.put("ExtendedResourceTolerationsConfig.resources", PolicyValidator::globs);
        FIELD_RULES.put("NodeLabels.restricted", PolicyValidator::restrictedLabels);
        SECTION_RULES.put(PlacementConfig.TolerationConfig.class, PolicyValidator::toleration);
        SECTION_RULES.put(PlacementConfig.DedicatedTaint.class, PolicyValidator::dedicatedTaint);
        SECTION_RULES.put(Exemption.class, PolicyValidator::exemption);
        SECTION_RULES.put(NamespacePolicy.class, PolicyValidator::namespacePolicy);
        SECTION_RULES.put(ResourceRulesConfig.class, PolicyValidator::resourceBounds);
        SECTION_RULES.put(ResourceRulesConfig.PodBounds.class, PolicyValidator::resourceBounds);
        SECTION_RULES.put(RuleConfig.class, PolicyValidator::rule);
    }

    private static final Pattern RULE_ID = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    private final List<String> errors = new ArrayList<>();
    /** The ids of the document's CEL rules, which exemptions may name as checks. */
    private final Set<String> ruleIds = new TreeSet<>();
    /** Rule ids seen per rules list, to refuse duplicates. */
    private final Map<String, Set<String>> seenRuleIds = new LinkedHashMap<>();

    private PolicyValidator() {
    }

    /** Every error in {@code root}, in document order; empty when it is a valid policy. */
    static List<String> validate(JsonNode root) {
        PolicyValidator v = new PolicyValidator();
        if (!root.isObject()) {
            v.errors.add("policy: expected a map of keys (mode, podSecurity, …), got " + describe(root));
            return v.errors;
        }
        v.collectRuleIds(root.get("rules"));
        JsonNode namespaces = root.get("namespaces");
        if (namespaces != null && namespaces.isArray()) {
            namespaces.forEach(n -> v.collectRuleIds(n.get("rules")));
        }
        v.walk(root, Policy.class, "");
        if (v.errors.isEmpty()) {
            v.errors.addAll(ResourceDefaultsConsistency.errors(root));
        }
        return v.errors;
    }

    private void collectRuleIds(JsonNode rules) {
        if (rules != null && rules.isArray()) {
            for (JsonNode r : rules) {
                if (r.isObject() && r.get("id") != null && r.get("id").isString()) {
                    ruleIds.add(r.get("id").asString());
                }
            }
        }
    }

    /** A CEL rule: an id of its own, and expressions that compile (each error with its path and CEL's message). */
    private void rule(JsonNode node, String path) {
        JsonNode id = node.get("id");
        JsonNode expression = node.get("expression");
        int before = errors.size();
        if (id == null || id.isNull() || id.asString().isBlank()) {
            errors.add(path + ".id: required: the rule's name in messages, reports and exemptions");
        } else if (!RULE_ID.matcher(id.asString()).matches()) {
            errors.add(path + ".id: \"" + id.asString() + "\" is not a valid rule id: lower case letters, digits, '-' and '.', "
                    + "starting and ending with a letter or digit");
        } else if (knownCheckIds().contains(id.asString())) {
            errors.add(path + ".id: \"" + id.asString() + "\" is the id of a built-in check: choose another");
        } else {
            String list = path.substring(0, Math.max(0, path.lastIndexOf('[')));
            if (!seenRuleIds.computeIfAbsent(list, k -> new java.util.HashSet<>()).add(id.asString())) {
                errors.add(path + ".id: \"" + id.asString() + "\" is the id of another rule");
            }
        }
        if (expression == null || expression.isNull() || expression.asString().isBlank()) {
            errors.add(path + ".expression: required: a CEL expression that is true for an allowed pod");
        }
        for (String list : List.of("variables", "matchConditions")) {
            JsonNode items = node.get(list);
            if (items == null || !items.isArray()) {
                continue;
            }
            Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                JsonNode item = items.get(i);
                String p = path + "." + list + "[" + i + "]";
                JsonNode name = item.get("name");
                if (name == null || name.isNull() || name.asString().isBlank()) {
                    errors.add(p + ".name: required");
                } else if (!names.add(name.asString())) {
                    errors.add(p + ".name: \"" + name.asString() + "\" is already declared");
                } else if (list.equals("variables") && !name.asString().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    errors.add(p + ".name: \"" + name.asString() + "\" is not a valid CEL identifier");
                }
                if (item.get("expression") == null || item.get("expression").isNull() || item.get("expression").asString().isBlank()) {
                    errors.add(p + ".expression: required");
                }
            }
        }
        if (errors.size() != before) {
            return;
        }
        try {
            CompiledRules.compile(io.podguard.engine.Json.mapper().treeToValue(node, RuleConfig.class));
        } catch (io.podguard.engine.rules.RuleCompileException e) {
            for (String error : e.errors()) {
                errors.add(path + "." + error);
            }
        } catch (tools.jackson.core.JacksonException e) {
            errors.add(path + ": " + e.getOriginalMessage());
        }
    }

    /** The ids an exemption's {@code checks} may name. */
    static Set<String> knownCheckIds() {
        return RuleKinds.ruleIds();
    }

    /** The keys of a section, as written in YAML, for the given record type. */
    static List<String> keys(Class<?> record) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : record.getRecordComponents()) {
            keys.add(jsonName(c));
        }
        return keys;
    }

    private void walk(JsonNode node, Type type, String path) {
        if (node.isNull()) {
            return; // an empty key (`podSecurity:`) means "take the defaults", as when it is left out
        }
        Class<?> raw = raw(type);
        if (raw.isRecord()) {
            record(node, raw, path);
        } else if (raw == String.class) {
            // a number where text is expected (cpu: 1) reads as its text, as Jackson binds it
            expect(node.isString() || node.isNumber(), node, path, "a string");
        } else if (raw == Boolean.class || raw == boolean.class) {
            expect(node.isBoolean(), node, path, "true or false");
        } else if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            expect(node.isIntegralNumber(), node, path, "a whole number");
        } else if (raw == Double.class || raw == double.class || raw == BigDecimal.class) {
            expect(node.isNumber(), node, path, "a number");
        } else if (raw.isEnum()) {
            enumValue(node, raw, path);
        } else if (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw)) {
            if (expect(node.isArray(), node, path, "a list")) {
                Type element = typeArgument(type, 0);
                for (int i = 0; i < node.size(); i++) {
                    walk(node.get(i), element, path + "[" + i + "]");
                }
            }
        } else if (Map.class.isAssignableFrom(raw)) {
            if (expect(node.isObject(), node, path, "a map")) {
                Type value = typeArgument(type, 1);
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    walk(e.getValue(), value, join(path, e.getKey()));
                }
            }
        } else if (raw == LocalDate.class) {
            date(node, path);
        } else if (raw == Duration.class) {
            if (expect(node.isString(), node, path, "a duration like 30s or PT30S")) {
                duration(node.asString(), path);
            }
        } else {
            bindable(node, raw, path);
        }
    }

    private void record(JsonNode node, Class<?> type, String path) {
        if (!expect(node.isObject(), node, path, "a map")) {
            return;
        }
        Map<String, RecordComponent> components = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            components.put(jsonName(c), c);
        }
        int before = errors.size();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            String fieldPath = join(path, key);
            RecordComponent c = components.get(key);
            if (c == null) {
                String suggestion = DidYouMean.closest(key, components.keySet());
                errors.add(fieldPath + ": unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
                continue;
            }
            FieldRule rule = FIELD_RULES.get(type.getSimpleName() + "." + key);
            if (rule != null && !e.getValue().isNull()) {
                rule.check(this, e.getValue(), fieldPath);
            } else {
                walk(e.getValue(), c.getGenericType(), fieldPath);
            }
        }
        SectionRule section = SECTION_RULES.get(type);
        if (section != null && errors.size() == before) {
            section.check(this, node, path.isEmpty() ? type.getSimpleName() : path);
        }
        if (!path.isEmpty() && errors.size() == before) {
            construct(node, type, path);
        }
    }

    /**
     * A section whose keys and types are right may still be refused by its record's own
     * constructor (a request above its limit, say): bind it alone and name the section. Only
     * when nothing inside it failed, so one mistake is reported once.
     */
    private void construct(JsonNode node, Class<?> type, String path) {
        try {
            io.podguard.engine.Json.mapper().treeToValue(node, type);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof IllegalArgumentException && !(cause instanceof tools.jackson.core.JacksonException))) {
                cause = cause.getCause() == cause ? null : cause.getCause();
            }
            String message = cause != null ? cause.getMessage() : e.getMessage();
            if (message == null) {
                message = e.getClass().getSimpleName();
            }
            int nl = message.indexOf('\n');
            errors.add(path + ": " + (nl < 0 ? message : message.substring(0, nl)));
        }
    }

    // ---- field rules ----

    private void constant(JsonNode node, String path, String expected) {
        if (expect(node.isString(), node, path, "a string") && !expected.equals(node.asString())) {
            errors.add(path + ": \"" + node.asString() + "\" is not " + expected);
        }
    }

    private void level(JsonNode node, String path) {
        if (expect(node.isString(), node, path, "a string")) {
            parse(path, () -> Level.parse(node.asString()));
        }
    }

    private void version(JsonNode node, String path) {
        if (expect(node.isString(), node, path, "a string such as latest or v1.30")) {
            parse(path, () -> PssVersion.parse(node.asString()));
        }
    }

    private void quantities(JsonNode node, String path) {
        if (!expect(node.isObject(), node, path, "a map of resource names to quantities")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = join(path, e.getKey());
            resourceName(e.getKey(), p);
            JsonNode q = e.getValue();
            if (expect(q.isString() || q.isNumber(), q, p, "a quantity such as 100m or 1Gi")) {
                String text = q.asString();
                parse(p, () -> ResourceRules.amount(text));
            }
        }
    }

    private void resourceNames(JsonNode node, String path) {
        if (expect(node.isArray(), node, path, "a list of resource names")) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode n = node.get(i);
                if (expect(n.isString(), n, path + "[" + i + "]", "a resource name")) {
                    resourceName(n.asString(), path + "[" + i + "]");
                }
            }
        }
    }

    private void resourceName(String name, String path) {
        if (!RESOURCE_NAME.matcher(name).matches()) {
            errors.add(path + ": \"" + name + "\" is not a resource name (cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource)");
        }
    }

    private void globs(JsonNode node, String path) {
        if (expect(node.isArray(), node, path, "a list of patterns")) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode n = node.get(i);
                String p = path + "[" + i + "]";
                if (expect(n.isString(), n, p, "a pattern")) {
                    try {
                        Glob.compile(n.asString());
                    } catch (IllegalArgumentException e) {
                        errors.add(p + ": bad pattern \"" + n.asString() + "\": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void serviceAccounts(JsonNode node, String path) {
        globs(node, path);
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode n = node.get(i);
                if (n.isString() && !SERVICE_ACCOUNT.matcher(n.asString()).matches()) {
                    errors.add(path + "[" + i + "]: \"" + n.asString() + "\" is not NAMESPACE:NAME");
                }
            }
        }
    }

    /**
     * An image pattern is anchored to what the pod author cannot choose: a registry host
     * ({@code registry.example/istio/proxyv2:*}) or a digest ({@code *@sha256:…}). An unanchored
     * pattern ({@code *}{@code /istio/proxyv2:*}) exempts {@code attacker.example/istio/proxyv2:pwn} too.
     */
    private void imagePatterns(JsonNode node, String path) {
        globs(node, path);
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode n = node.get(i);
                String problem = n.isString() ? ImagePatterns.anchoringProblem(n.asString()) : null;
                if (problem != null) {
                    errors.add(path + "[" + i + "]: \"" + n.asString() + "\" " + problem);
                }
            }
        }
    }

    private void checkIds(JsonNode node, String path) {
        if (!expect(node.isArray(), node, path, "a list of check ids")) {
            return;
        }
        Set<String> known = new TreeSet<>(knownCheckIds());
        known.addAll(ruleIds);
        for (int i = 0; i < node.size(); i++) {
            JsonNode n = node.get(i);
            String p = path + "[" + i + "]";
            if (expect(n.isString(), n, p, "a check id") && !known.contains(n.asString())) {
                String suggestion = DidYouMean.closest(n.asString(), known);
                errors.add(p + ": unknown check \"" + n.asString() + "\"" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
            }
        }
    }

    private void selector(JsonNode node, String path) {
        if (!expect(node.isObject(), node, path, "a label selector (matchLabels, matchExpressions)")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = join(path, e.getKey());
            JsonNode value = e.getValue();
            switch (e.getKey()) {
                case "matchLabels" -> {
                    if (expect(value.isObject(), value, p, "a map of labels")) {
                        for (Map.Entry<String, JsonNode> label : value.properties()) {
                            expect(label.getValue().isString(), label.getValue(), join(p, label.getKey()), "a string");
                        }
                    }
                }
                case "matchExpressions" -> {
                    if (expect(value.isArray(), value, p, "a list")) {
                        for (int i = 0; i < value.size(); i++) {
                            expression(value.get(i), p + "[" + i + "]");
                        }
                    }
                }
                default -> {
                    String suggestion = DidYouMean.closest(e.getKey(), List.of("matchLabels", "matchExpressions"));
                    errors.add(p + ": unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
                }
            }
        }
    }

    private void expression(JsonNode node, String path) {
        if (!expect(node.isObject(), node, path, "a map (key, operator, values)")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!Set.of("key", "operator", "values").contains(e.getKey())) {
                String suggestion = DidYouMean.closest(e.getKey(), List.of("key", "operator", "values"));
                errors.add(join(path, e.getKey()) + ": unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
            }
        }
        JsonNode key = node.get("key");
        if (key == null || key.isNull()) {
            errors.add(path + ".key: required");
        } else {
            expect(key.isString(), key, path + ".key", "a string");
        }
        JsonNode op = node.get("operator");
        String operator = null;
        if (op == null || op.isNull()) {
            errors.add(path + ".operator: required");
        } else if (expect(op.isString(), op, path + ".operator", "a string")) {
            operator = op.asString();
            if (!SELECTOR_OPERATORS.contains(operator)) {
                errors.add(path + ".operator: \"" + operator + "\" is not one of In, NotIn, Exists, DoesNotExist");
                operator = null;
            }
        }
        JsonNode values = node.get("values");
        boolean hasValues = values != null && !values.isNull() && !values.isEmpty();
        if (values != null && !values.isNull() && expect(values.isArray(), values, path + ".values", "a list of strings")) {
            for (int i = 0; i < values.size(); i++) {
                expect(values.get(i).isString(), values.get(i), path + ".values[" + i + "]", "a string");
            }
        }
        if (("In".equals(operator) || "NotIn".equals(operator)) && !hasValues) {
            errors.add(path + ".values: required for operator " + operator);
        }
        if (("Exists".equals(operator) || "DoesNotExist".equals(operator)) && hasValues) {
            errors.add(path + ".values: must be empty for operator " + operator);
        }
    }

    /** A map of node labels: label keys to label values. */
    private void labels(JsonNode node, String path) {
        if (!expect(node.isObject(), node, path, "a map of node labels (key: value)")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = join(path, e.getKey());
            String keyError = LabelSyntax.keyError(e.getKey());
            if (keyError != null) {
                errors.add(p + ": \"" + e.getKey() + "\" is not a label key: " + keyError);
            }
            JsonNode value = e.getValue();
            if (expect(value.isString() || value.isNumber() || value.isBoolean(), value, p, "a label value")) {
                String valueError = LabelSyntax.valueError(value.asString());
                if (valueError != null) {
                    errors.add(p + ": \"" + value.asString() + "\" is not a label value: " + valueError);
                }
            }
        }
    }

    /** Label key patterns to lists of value patterns. */
    private void restrictedLabels(JsonNode node, String path) {
        if (!expect(node.isObject(), node, path, "a map of label keys to the values pods may select")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = join(path, e.getKey());
            try {
                Glob.compile(e.getKey());
            } catch (IllegalArgumentException ex) {
                errors.add(p + ": bad pattern \"" + e.getKey() + "\": " + ex.getMessage());
            }
            if (!e.getValue().isNull()) {
                globs(e.getValue(), p);
            }
        }
    }

    // ---- section rules ----

    /** A toleration as the apiserver validates one ({@code ValidateTolerations}), as PodTolerationRestriction's configuration is. */
    private void toleration(JsonNode node, String path) {
        Toleration t = Toleration.of(node);
        if (!t.key().isEmpty()) {
            String keyError = LabelSyntax.keyError(t.key());
            if (keyError != null) {
                errors.add(path + ".key: \"" + t.key() + "\" is not a label key: " + keyError);
            }
        } else if (!Toleration.EXISTS.equals(t.operator())) {
            errors.add(path + ".operator: must be Exists when key is empty (which tolerates every taint)");
        }
        if (t.tolerationSeconds() != null && !Toleration.NO_EXECUTE.equals(t.effect())) {
            errors.add(path + ".tolerationSeconds: only for effect NoExecute");
        }
        switch (t.operator()) {
            case "", Toleration.EQUAL -> {
                String valueError = LabelSyntax.valueError(t.value());
                if (valueError != null) {
                    errors.add(path + ".value: \"" + t.value() + "\" is not a label value: " + valueError);
                }
            }
            case Toleration.EXISTS -> {
                if (!t.value().isEmpty()) {
                    errors.add(path + ".value: must be empty when operator is Exists");
                }
            }
            default -> errors.add(path + ".operator: \"" + t.operator() + "\" is not one of Equal, Exists");
        }
        if (!t.effect().isEmpty() && !List.of(Toleration.NO_SCHEDULE, "PreferNoSchedule", Toleration.NO_EXECUTE).contains(t.effect())) {
            errors.add(path + ".effect: \"" + t.effect() + "\" is not one of NoSchedule, PreferNoSchedule, NoExecute");
        }
    }

    private void dedicatedTaint(JsonNode node, String path) {
        JsonNode key = node.get("key");
        if (key == null || key.isNull() || key.asString().isEmpty()) {
            errors.add(path + ".key: required: the taint's key");
        } else if (LabelSyntax.keyError(key.asString()) != null) {
            errors.add(path + ".key: \"" + key.asString() + "\" is not a taint key: " + LabelSyntax.keyError(key.asString()));
        }
        JsonNode label = node.get("label");
        if (label != null && !label.isNull() && LabelSyntax.keyError(label.asString()) != null) {
            errors.add(path + ".label: \"" + label.asString() + "\" is not a label key: " + LabelSyntax.keyError(label.asString()));
        }
    }

    private void date(JsonNode node, String path) {
        if (expect(node.isString(), node, path, "a date (YYYY-MM-DD)")) {
            try {
                LocalDate.parse(node.asString());
            } catch (DateTimeParseException e) {
                errors.add(path + ": \"" + node.asString() + "\" is not a date (YYYY-MM-DD)");
            }
        }
    }

    private void duration(String text, String path) {
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                Duration.parse(text);
            } else if (!text.matches("[0-9]+(ms|s|m|h|d)")) {
                errors.add(path + ": \"" + text + "\" is not a duration (like 500ms, 30s, 5m, 1h)");
            }
        } catch (DateTimeParseException e) {
            errors.add(path + ": \"" + text + "\" is not a duration (like 500ms, 30s, 5m, 1h)");
        }
    }

    private void exemption(JsonNode node, String path) {
        JsonNode reason = node.get("reason");
        if (reason == null || reason.isNull() || reason.asString().isBlank()) {
            errors.add(path + ".reason: required: say why the exemption exists");
        }
        boolean any = false;
        for (String matcher : List.of("namespaces", "usernames", "groups", "serviceAccounts", "runtimeClassNames", "checks", "images")) {
            JsonNode m = node.get(matcher);
            if (m != null && !m.isNull() && !m.isEmpty()) {
                any = true;
            }
        }
        if (!any) {
            errors.add(path + ": names nothing to exempt: give namespaces, usernames, groups, serviceAccounts, runtimeClassNames, checks or images");
        }
        // A service account whose namespace is a wildcard is any tenant's account of that name.
        JsonNode accounts = node.get("serviceAccounts");
        JsonNode namespaces = node.get("namespaces");
        boolean namespacesListed = namespaces != null && namespaces.isArray() && !namespaces.isEmpty();
        if (accounts != null && accounts.isArray() && !namespacesListed) {
            for (int i = 0; i < accounts.size(); i++) {
                JsonNode n = accounts.get(i);
                if (n.isString() && SERVICE_ACCOUNT.matcher(n.asString()).matches() && !literalNamespace(n.asString())) {
                    errors.add(path + ".serviceAccounts[" + i + "]: \"" + n.asString() + "\" matches that account in any namespace,"
                            + " and whoever can create a service account there is exempt: name the namespace or list it in namespaces");
                }
            }
        }
    }

    private static boolean literalNamespace(String account) {
        try {
            return Glob.compile(account.substring(0, account.indexOf(':'))).hasLiteralStart();
        } catch (IllegalArgumentException e) {
            return true; // a bad pattern is reported on its own
        }
    }

    private void namespacePolicy(JsonNode node, String path) {
        JsonNode names = node.get("names");
        JsonNode selector = node.get("selector");
        boolean hasNames = names != null && !names.isNull() && !names.isEmpty();
        boolean hasSelector = selector != null && !selector.isNull() && !selector.isEmpty();
        if (!hasNames && !hasSelector) {
            errors.add(path + ": matches every namespace: give names, a selector, or both");
        }
        JsonNode labels = node.path("podSecurity").get("namespaceLabels");
        if (labels != null && !labels.isNull()) {
            errors.add(path + ".podSecurity.namespaceLabels: top level only: whether Pod Security Admission's labels are read "
                    + "is the policy's choice; an entry that names podSecurity sets its namespaces' levels itself");
        }
    }

    private void resourceBounds(JsonNode node, String path) {
        JsonNode min = node.get("min");
        JsonNode max = node.get("max");
        if (min != null && max != null && min.isObject() && max.isObject()) {
            for (Map.Entry<String, JsonNode> e : min.properties()) {
                JsonNode upper = max.get(e.getKey());
                if (upper != null && ResourceRules.amount(e.getValue().asString()).compareTo(ResourceRules.amount(upper.asString())) > 0) {
                    errors.add(path + ".min." + e.getKey() + ": " + e.getValue().asString() + " is above max " + upper.asString());
                }
            }
        }
        JsonNode ratio = node.get("maxLimitRequestRatio");
        if (ratio != null && ratio.isObject()) {
            for (Map.Entry<String, JsonNode> e : ratio.properties()) {
                if (ResourceRules.amount(e.getValue().asString()).compareTo(BigDecimal.ONE) < 0) {
                    errors.add(path + ".maxLimitRequestRatio." + e.getKey() + ": " + e.getValue().asString() + " is below 1: a limit is never below its request");
                }
            }
        }
    }

    // ---- helpers ----

    private void enumValue(JsonNode node, Class<?> type, String path) {
        if (!expect(node.isString(), node, path, "a string")) {
            return;
        }
        Method creator = null;
        for (Method m : type.getDeclaredMethods()) {
            if (m.isAnnotationPresent(JsonCreator.class) && Modifier.isStatic(m.getModifiers())) {
                creator = m;
            }
        }
        if (creator != null) {
            try {
                creator.invoke(null, node.asString());
            } catch (InvocationTargetException e) {
                errors.add(path + ": " + e.getCause().getMessage());
            } catch (ReflectiveOperationException e) {
                errors.add(path + ": " + e.getMessage());
            }
            return;
        }
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equalsIgnoreCase(node.asString())) {
                return;
            }
        }
        errors.add(path + ": \"" + node.asString() + "\" is not a valid value");
    }

    /** A type the reflection does not know (a fabric8 model class, say): whatever Jackson can bind. */
    private void bindable(JsonNode node, Class<?> type, String path) {
        try {
            io.podguard.engine.Json.mapper().treeToValue(node, type);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = message.indexOf('\n');
            errors.add(path + ": " + (nl < 0 ? message : message.substring(0, nl)));
        }
    }

    private void parse(String path, Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            errors.add(path + ": " + e.getMessage());
        }
    }

    private boolean expect(boolean ok, JsonNode node, String path, String what) {
        if (!ok) {
            errors.add(path + ": expected " + what + ", got " + describe(node));
        }
        return ok;
    }

    static String describe(JsonNode node) {
        if (node.isString()) {
            return "\"" + node.asString() + "\"";
        }
        if (node.isBoolean() || node.isNumber()) {
            return node.toString();
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a map";
        }
        return node.isNull() ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String jsonName(RecordComponent c) {
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        if (p == null) {
            p = c.getAnnotation(JsonProperty.class);
        }
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            return p.getActualTypeArguments()[index];
        }
        return Object.class;
    }
}
