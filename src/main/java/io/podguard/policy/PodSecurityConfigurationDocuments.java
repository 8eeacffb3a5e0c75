package io.podguard.policy;

import io.podguard.engine.Glob;
import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import io.podguard.engine.pss.PodSecurityKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pod Security Admission's own configuration as a policy document: a {@code PodSecurityConfiguration}
 * ({@code pod-security.admission.config.k8s.io/v1}, also {@code v1beta1} and {@code v1alpha1}, which
 * have the same fields), alone or inside the {@code AdmissionConfiguration} a kube-apiserver reads
 * with {@code --admission-control-config-file} (its {@code PodSecurity} plugin's inline
 * {@code configuration}; other plugins are left alone). Read as PSA reads it: a level or version
 * left out or empty is {@code privileged} or {@code latest}; namespaces must be DNS labels,
 * runtime classes DNS subdomains, usernames not empty, none twice; and, unlike PSA, an unknown key
 * is refused, as everywhere in a podguard policy.
 *
 * <p>It becomes a podguard policy: {@code defaults} the levels of {@code podSecurity} (for namespaces
 * without PSA's labels), PSA's namespace labels read ({@code podSecurity.namespaceLabels: true}),
 * and each exemption list one podguard exemption of the Pod Security checks, with a reason naming
 * the file. podguard's own defaults stay off unless a PodGuardPolicy document beside it turns them
 * on: PSA changes no pod. Beside it, one PodGuardPolicy document may add every other section
 * (not {@code podSecurity}'s levels, which the configuration gives), and its exemptions come first.
 */
final class PodSecurityConfigurationDocuments {

    static final String KIND = "PodSecurityConfiguration";
    static final String GROUP = "pod-security.admission.config.k8s.io";
    static final Set<String> API_VERSIONS = Set.of(GROUP + "/v1", GROUP + "/v1beta1", GROUP + "/v1alpha1");
    static final String ADMISSION_KIND = "AdmissionConfiguration";
    static final Set<String> ADMISSION_API_VERSIONS = Set.of("apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1alpha1",
            "apiserver.k8s.io/v1alpha1");
    static final String PLUGIN = "PodSecurity";
    /** How every generated exemption reason starts. */
    static final String REASON_PREFIX = "PodSecurityConfiguration exemptions.";

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final List<String> MODES = List.of("enforce", "audit", "warn");
    private static final List<String> DEFAULT_KEYS = List.of("enforce", "enforce-version", "audit", "audit-version", "warn", "warn-version");
    private static final List<String> EXEMPTION_KEYS = List.of("usernames", "namespaces", "runtimeClasses");

    private PodSecurityConfigurationDocuments() {
    }

    /** A PodSecurityConfiguration, or an AdmissionConfiguration (which must then configure PodSecurity). */
    static boolean isConfiguration(JsonNode doc) {
        return doc.isObject() && (KIND.equals(doc.path("kind").asString(null)) || ADMISSION_KIND.equals(doc.path("kind").asString(null)));
    }

    /**
     * The policy of a file whose documents include a PodSecurityConfiguration.
     *
     * @param source the file, for exemption reasons; null when unknown
     * @param notes receives one line per thing mapped, for {@code config validate}; null: not wanted
     * @throws PolicyException with every error, each naming its document and field
     */
    static Policy read(List<JsonNode> documents, @Nullable String source, @Nullable List<String> notes) {
        List<String> errors = new ArrayList<>();
        Configuration configuration = null;
        JsonNode policyDocument = null;
        int configurations = 0;
        for (int i = 0; i < documents.size(); i++) {
            JsonNode doc = documents.get(i);
            String where = "document " + (i + 1);
            if (isConfiguration(doc)) {
                configurations++;
                Configuration c = configuration(doc, where + " (" + doc.path("kind").asString() + ")", errors);
                configuration = configuration == null ? c : configuration;
            } else if (doc.isObject() && (doc.get("kind") == null || Policy.KIND.equals(doc.path("kind").asString(null)))) {
                if (policyDocument != null) {
                    errors.add(where + ": a policy file holds one " + Policy.KIND + " document beside its " + KIND);
                }
                policyDocument = doc;
            } else {
                errors.add(where + ": kind " + doc.path("kind").asString("(none)") + " cannot be in a policy file with a " + KIND
                        + ": only one " + Policy.KIND + " document and ValidatingAdmissionPolicies may be beside it");
            }
        }
        if (configurations > 1) {
            errors.add("a policy file holds one " + KIND + ", found " + configurations);
        }
        if (policyDocument != null) {
            JsonNode podSecurity = policyDocument.get("podSecurity");
            if (podSecurity != null && podSecurity.isObject()) {
                for (Map.Entry<String, JsonNode> e : podSecurity.properties()) {
                    if (!"namespaceLabels".equals(e.getKey())) {
                        errors.add("podSecurity." + e.getKey() + ": the " + KIND + " gives the levels (its defaults); "
                                + "beside it podSecurity may only say namespaceLabels");
                    }
                }
            }
            if (policyDocument.get("podSecurityPolicies") != null) {
                errors.add("podSecurityPolicies: a policy file holds PodSecurityPolicies or a " + KIND + ", not both");
            }
        }
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
        Policy base;
        boolean hasDefaults = false;
        Boolean labels = null;
        if (policyDocument == null) {
            base = new Policy(null, null, null, null, Policy.DEFAULTS_OFF);
        } else {
            ObjectNode tree = ((ObjectNode) policyDocument).deepCopy();
            JsonNode podSecurity = tree.remove("podSecurity");
            if (podSecurity != null && podSecurity.isObject() && podSecurity.get("namespaceLabels") != null) {
                ObjectNode only = tree.objectNode();
                only.set("namespaceLabels", podSecurity.get("namespaceLabels"));
                tree.set("podSecurity", only); // validated with the rest of the document
            }
            hasDefaults = tree.has("defaults");
            base = PolicyLoader.bind(tree);
            labels = tree.has("podSecurity") ? base.podSecurity().namespaceLabels() : null;
        }
        return configuration.apply(base, hasDefaults, labels == null || labels, source, notes);
    }

    /** What a PodSecurityConfiguration says, read. */
    private record Configuration(Map<String, String> defaults, Map<String, List<String>> exemptions) {

        Policy apply(Policy base, boolean keepDefaults, boolean labels, @Nullable String source, @Nullable List<String> notes) {
            PodSecurityConfig.ModeLevel enforce = new PodSecurityConfig.ModeLevel(defaults.get("enforce"), defaults.get("enforce-version"));
            PodSecurityConfig.ModeLevel audit = new PodSecurityConfig.ModeLevel(defaults.get("audit"), defaults.get("audit-version"));
            PodSecurityConfig.ModeLevel warn = new PodSecurityConfig.ModeLevel(defaults.get("warn"), defaults.get("warn-version"));
            PodSecurityConfig podSecurity = new PodSecurityConfig(enforce.level(), enforce.version(), enforce, audit, warn, labels);
            List<Exemption> exemptions = new ArrayList<>(base.exemptions());
            List<String> checks = List.copyOf(PodSecurityKind.INSTANCE.ruleIds());
            String in = source == null ? "" : " in " + source;
            for (String list : EXEMPTION_KEYS) {
                List<String> names = exemptions(list);
                if (names.isEmpty()) {
                    continue;
                }
                List<String> exact = names.stream().map(Glob::literal).toList();
                String reason = REASON_PREFIX + list + in;
                exemptions.add(new Exemption(reason, null,
                        list.equals("namespaces") ? exact : null,
                        list.equals("usernames") ? exact : null,
                        null, null,
                        list.equals("runtimeClasses") ? exact : null,
                        checks, null));
                if (notes != null) {
                    notes.add(KIND + " exemptions." + list + " (" + String.join(", ", names) + ") -> exemptions[" + (exemptions.size() - 1)
                            + "]: the Pod Security checks skip these " + switch (list) {
                                case "namespaces" -> "namespaces";
                                case "usernames" -> "users' requests";
                                default -> "runtime classes' pods";
                            });
                }
            }
            if (notes != null) {
                notes.addFirst(KIND + " defaults -> podSecurity: enforce " + enforce.level() + ":" + enforce.version() + ", audit "
                        + audit.level() + ":" + audit.version() + ", warn " + warn.level() + ":" + warn.version()
                        + (labels ? "; Pod Security Admission's namespace labels read (podSecurity.namespaceLabels: true)"
                                : "; Pod Security Admission's namespace labels not read (podSecurity.namespaceLabels: false)"));
            }
            Policy mapped = new Policy(base.apiVersion(), base.kind(), base.mode(), podSecurity,
                    keepDefaults ? base.defaults() : Policy.DEFAULTS_OFF, base.resources(), base.namespaceLabelOverrides(), exemptions,
                    base.namespaces(), null, base.rules(), base.validatingAdmissionPolicies(), base.placement());
            PolicyCompiler.compile(mapped);
            return mapped;
        }

        List<String> exemptions(String list) {
            return exemptions.getOrDefault(list, List.of());
        }
    }

    private static @Nullable Configuration configuration(JsonNode doc, String where, List<String> errors) {
        int before = errors.size();
        JsonNode config = doc;
        String path = "";
        if (ADMISSION_KIND.equals(doc.path("kind").asString(null))) {
            config = podSecurityPlugin(doc, where, errors);
            if (config == null) {
                return null;
            }
            path = pluginPath(doc) + ".configuration.";
            if (!KIND.equals(config.path("kind").asString(null))) {
                errors.add(where + ": " + path + "kind: \"" + config.path("kind").asString("") + "\" is not " + KIND);
                return null;
            }
        } else {
            apiVersion(doc, API_VERSIONS, where, "", errors);
        }
        if (config != doc) {
            apiVersion(config, API_VERSIONS, where, path, errors);
        }
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            if (!List.of("apiVersion", "kind", "defaults", "exemptions").contains(e.getKey())) {
                unknown(where, path, e.getKey(), List.of("apiVersion", "kind", "defaults", "exemptions"), errors);
            }
        }
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        JsonNode d = config.get("defaults");
        if (d != null && !d.isNull()) {
            if (!d.isObject()) {
                errors.add(where + ": " + path + "defaults: expected a map (enforce, enforce-version, audit, …)");
            } else {
                for (Map.Entry<String, JsonNode> e : d.properties()) {
                    String p = path + "defaults." + e.getKey();
                    if (!DEFAULT_KEYS.contains(e.getKey())) {
                        unknown(where, path + "defaults.", e.getKey(), DEFAULT_KEYS, errors);
                    } else if (!e.getValue().isNull() && !e.getValue().isString()) {
                        errors.add(where + ": " + p + ": expected a string");
                    } else if (!e.getValue().isNull()) {
                        defaults.put(e.getKey(), e.getValue().asString());
                    }
                }
            }
        }
        for (String mode : MODES) {
            // PSA's defaulting: a level or version left out or empty is privileged, latest
            String level = defaults.getOrDefault(mode, "");
            String version = defaults.getOrDefault(mode + "-version", "");
            level = level.isEmpty() ? Level.PRIVILEGED.id() : level;
            version = version.isEmpty() ? "latest" : version;
            try {
                Level.parse(level);
            } catch (IllegalArgumentException e) {
                errors.add(where + ": " + path + "defaults." + mode + ": " + e.getMessage());
            }
            try {
                PssVersion.parse(version);
            } catch (IllegalArgumentException e) {
                errors.add(where + ": " + path + "defaults." + mode + "-version: " + e.getMessage());
            }
            defaults.put(mode, level);
            defaults.put(mode + "-version", version);
        }
        Map<String, List<String>> exemptions = new java.util.LinkedHashMap<>();
        JsonNode x = config.get("exemptions");
        if (x != null && !x.isNull()) {
            if (!x.isObject()) {
                errors.add(where + ": " + path + "exemptions: expected a map (usernames, namespaces, runtimeClasses)");
            } else {
                for (Map.Entry<String, JsonNode> e : x.properties()) {
                    if (!EXEMPTION_KEYS.contains(e.getKey())) {
                        unknown(where, path + "exemptions.", e.getKey(), EXEMPTION_KEYS, errors);
                        continue;
                    }
                    exemptions.put(e.getKey(), names(e.getValue(), e.getKey(), where, path + "exemptions." + e.getKey(), errors));
                }
            }
        }
        return errors.size() == before ? new Configuration(defaults, exemptions) : null;
    }

    /** The inline configuration of the AdmissionConfiguration's PodSecurity plugin. */
    private static @Nullable JsonNode podSecurityPlugin(JsonNode doc, String where, List<String> errors) {
        apiVersion(doc, ADMISSION_API_VERSIONS, where, "", errors);
        JsonNode plugins = doc.get("plugins");
        if (plugins == null || !plugins.isArray()) {
            errors.add(where + ": plugins: expected a list of admission plugins, one of them " + PLUGIN);
            return null;
        }
        for (int i = 0; i < plugins.size(); i++) {
            JsonNode plugin = plugins.get(i);
            if (!PLUGIN.equals(plugin.path("name").asString(null))) {
                continue; // another plugin's configuration is not podguard's
            }
            JsonNode configuration = plugin.get("configuration");
            if (configuration == null || configuration.isNull()) {
                errors.add(where + ": plugins[" + i + "]" + (plugin.has("path") ? ".path: podguard does not read the files an "
                        + ADMISSION_KIND + " names: put the " + KIND + " inline (configuration:) or in the policy file as a document of its own"
                        : ".configuration: required: the " + KIND));
                return null;
            }
            if (!configuration.isObject()) {
                errors.add(where + ": plugins[" + i + "].configuration: expected a " + KIND);
                return null;
            }
            return configuration;
        }
        errors.add(where + ": plugins: no " + PLUGIN + " plugin: nothing here for podguard");
        return null;
    }

    private static String pluginPath(JsonNode doc) {
        JsonNode plugins = doc.get("plugins");
        for (int i = 0; i < plugins.size(); i++) {
            if (PLUGIN.equals(plugins.get(i).path("name").asString(null))) {
                return "plugins[" + i + "]";
            }
        }
        return "plugins";
    }

    private static void apiVersion(JsonNode doc, Set<String> accepted, String where, String path, List<String> errors) {
        String apiVersion = doc.path("apiVersion").asString(null);
        if (apiVersion == null || !accepted.contains(apiVersion)) {
            errors.add(where + ": " + path + "apiVersion: " + (apiVersion == null ? "required" : "\"" + apiVersion + "\" is not")
                    + " one of " + String.join(", ", new java.util.TreeSet<>(accepted)));
        }
    }

    private static void unknown(String where, String path, String key, List<String> known, List<String> errors) {
        String suggestion = DidYouMean.closest(key, known);
        errors.add(where + ": " + path + key + ": unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
    }

    /** One exemption list, validated as PSA validates it. */
    private static List<String> names(JsonNode node, String list, String where, String path, List<String> errors) {
        if (node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            errors.add(where + ": " + path + ": expected a list of names");
            return List.of();
        }
        List<String> out = new ArrayList<>(node.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode n = node.get(i);
            String p = where + ": " + path + "[" + i + "]";
            if (!n.isString()) {
                errors.add(p + ": expected a string");
                continue;
            }
            String name = n.asString();
            String quoted = "\"" + name + "\"";
            String problem = switch (list) {
                case "namespaces" -> name.length() > 63 || !DNS1123_LABEL.matcher(name).matches()
                        ? quoted + " is not a namespace name (a DNS label: lower case letters, digits and '-', at most 63)" : null;
                case "runtimeClasses" -> name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()
                        ? quoted + " is not a RuntimeClass name (a DNS subdomain: lower case letters, digits, '-' and '.', at most 253)" : null;
                default -> name.isEmpty() ? "empty: a username is required" : null;
            };
            if (problem != null) {
                errors.add(p + ": " + problem);
            } else if (!seen.add(name)) {
                errors.add(p + ": \"" + name + "\" is given twice");
            } else {
                out.add(name);
            }
        }
        return out;
    }
}
