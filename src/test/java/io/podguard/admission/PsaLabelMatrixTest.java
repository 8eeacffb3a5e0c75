package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.PodSecurityLabels;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.PsaAdmission;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pod Security Admission's namespace labels mean in podguard what they mean in PSA, as PSA's own
 * code ({@code api.PolicyToEvaluate} over the defaults of a PodSecurityConfiguration, and
 * {@code admission.Validate}, run by {@code src/test/cluster/cmd/psa-admission}) reads them: every
 * mode, valid and invalid levels and versions, alone and combined, over several policy defaults;
 * a namespace override and exemptions on top. For each case the levels podguard resolves (and the
 * label errors it records) equal PSA's, and podguard's webhook answer for a pod equals PSA's:
 * allowed or denied with the same message, the same warning (podguard sends one warning per check
 * where PSA joins them), the same audit annotations.
 */
class PsaLabelMatrixTest {

    /** A policy written twice: as PSA's configuration and as podguard's policy file. */
    private record Setup(String name, String psa, String podguard) {
    }

    /** One namespace state and one request in it. */
    private record Case(Setup setup, String namespace, Map<String, String> labels, String username, String podName, ObjectNode pod,
                        String label, @Nullable Setup psaInstead) {
    }

    private static final List<String> LEVELS = List.of("", "privileged", "baseline", "restricted", "Baseline", "re\"stricted");
    private static final List<String> VERSIONS = List.of("", "latest", "v1.0", "v1.22", "v1.30", "v1.99", "v1.9223372036854775807",
            "v1.9223372036854775808", "1.30", "v1.030", "Latest");
    private static final String ABSENT = null;

    private static String psc(String defaults, String exemptions) {
        return "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n"
                + (defaults.isEmpty() ? "" : "defaults:\n" + defaults) + (exemptions.isEmpty() ? "" : "exemptions:\n" + exemptions);
    }

    private static final String EXEMPTIONS = "  namespaces: [exempt-ns]\n  usernames: [\"exempt:user\"]\n  runtimeClasses: [exempt-rc]\n";

    private static final List<Setup> SETUPS;

    static {
        List<Setup> s = new ArrayList<>();
        String none = psc("", EXEMPTIONS);
        s.add(new Setup("PSA's defaults (privileged)", none, none));
        String baseline = psc("  enforce: baseline\n  audit: restricted\n  warn: restricted\n", EXEMPTIONS);
        s.add(new Setup("enforce baseline, audit and warn restricted", baseline, baseline));
        String pinned = psc("  enforce: restricted\n  enforce-version: v1.25\n  audit: baseline\n  audit-version: v1.30\n"
                + "  warn: privileged\n  warn-version: latest\n", EXEMPTIONS);
        s.add(new Setup("pinned versions, warn below enforce", pinned, pinned));
        // podguard's own forms: a mode podguard leaves off is PSA's privileged, at the section's version
        s.add(new Setup("podguard short form, audit and warn off",
                psc("  enforce: baseline\n  enforce-version: v1.30\n  audit-version: v1.30\n  warn-version: v1.30\n", EXEMPTIONS),
                "mode: enforce\npodSecurity: {level: baseline, version: v1.30, namespaceLabels: true}\ndefaults: {enabled: false}\n"
                        + "exemptions:\n- {namespaces: [exempt-ns], reason: r}\n- {usernames: [\"exempt:user\"], reason: r}\n"
                        + "- {runtimeClassNames: [exempt-rc], reason: r}\n"));
        s.add(new Setup("podguard, enforce off",
                psc("  audit: restricted\n  warn: baseline\n", EXEMPTIONS),
                "mode: audit\npodSecurity: {level: restricted, warn: {level: baseline}, namespaceLabels: true}\ndefaults: {enabled: false}\n"
                        + "exemptions:\n- {namespaces: [exempt-ns], reason: r}\n- {usernames: [\"exempt:user\"], reason: r}\n"
                        + "- {runtimeClassNames: [exempt-rc], reason: r}\n"));
        SETUPS = List.copyOf(s);
    }

    private static final String OVERRIDE_BASE = psc("  enforce: baseline\n  audit: restricted\n  warn: restricted\n", EXEMPTIONS);

    /** A namespace entry naming podSecurity: PSA's labels are not read there; PSA with its levels as defaults and no labels agrees. */
    private static final Setup OVERRIDDEN = new Setup("override naming podSecurity",
            psc("  enforce: restricted\n  enforce-version: v1.28\n  audit: baseline\n  warn: restricted\n", ""),
            OVERRIDE_BASE + "---\nnamespaces:\n- names: [pinned]\n  podSecurity:\n    enforce: {level: restricted, version: v1.28}\n"
                    + "    audit: {level: baseline}\n    warn: {level: restricted}\n"
                    + "- names: [other-sections]\n  defaults: {enabled: false}\n");

    @Test
    void levelsAndAnswersWhenEveryLabelCaseThenAsPodSecurityAdmission() {
        List<Map<String, String>> labelSets = labelSets();
        List<ObjectNode> pods = List.of(restrictedPod(), hostNetworkPod(), runAsRootPod());
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (Setup setup : SETUPS) {
            for (Map<String, String> labels : labelSets) {
                ObjectNode pod = pods.get(i % pods.size());
                cases.add(new Case(setup, "ns-" + i, labels, "alice", "p" + i, pod, setup.name() + " " + labels, null));
                i++;
            }
            // exemptions: a namespace, a user, a runtime class, whatever the labels say
            for (Map<String, String> labels : List.of(Map.<String, String>of(), Map.of(PodSecurityLabels.ENFORCE, "restricted"),
                    Map.of(PodSecurityLabels.ENFORCE, "bogus", PodSecurityLabels.WARN, "baseline"))) {
                for (ObjectNode pod : pods) {
                    cases.add(new Case(setup, "exempt-ns", labels, "alice", "p" + i++, pod, setup.name() + " exempt namespace " + labels, null));
                    cases.add(new Case(setup, "ns-" + i, labels, "exempt:user", "p" + i++, pod, setup.name() + " exempt user " + labels, null));
                    ObjectNode withClass = pod.deepCopy();
                    ((ObjectNode) withClass.get("spec")).put("runtimeClassName", "exempt-rc");
                    cases.add(new Case(setup, "ns-" + i, labels, "alice", "p" + i++, withClass, setup.name() + " exempt runtime class " + labels, null));
                }
            }
        }
        // a namespace entry naming podSecurity wins over the labels; one naming other sections leaves them in force
        Setup base = new Setup("the override's policy, labels read", OVERRIDE_BASE, OVERRIDE_BASE);
        for (int k = 0; k < labelSets.size(); k += 7) {
            Map<String, String> labels = labelSets.get(k);
            ObjectNode pod = pods.get(k % pods.size());
            cases.add(new Case(OVERRIDDEN, "pinned", labels, "alice", "p" + i++, pod, "override naming podSecurity " + labels, OVERRIDDEN));
            cases.add(new Case(OVERRIDDEN, "other-sections", labels, "alice", "p" + i++, pod, "override of other sections " + labels, base));
        }

        List<String> requests = new ArrayList<>(cases.size());
        for (Case c : cases) {
            requests.add(oracleRequest(c));
        }
        List<JsonNode> upstream = PsaAdmission.answers(requests);

        Map<Setup, ConfiguredPolicyResolver> resolvers = new HashMap<>();
        Map<Setup, AdmissionHandler> handlers = new HashMap<>();
        Map<String, Map<String, String>> current = new HashMap<>();
        List<String> differences = new ArrayList<>();
        int denied = 0;
        int warned = 0;
        int labelErrors = 0;
        for (int n = 0; n < cases.size(); n++) {
            Case c = cases.get(n);
            JsonNode psa = upstream.get(n);
            ConfiguredPolicyResolver resolver = resolvers.computeIfAbsent(c.setup(), s -> new ConfiguredPolicyResolver(
                    PolicyLoader.parse(s.podguard()), current::get, Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE));
            AdmissionHandler handler = handlers.computeIfAbsent(c.setup(), s -> new AdmissionHandler(Engine.standard(), () -> resolver,
                    new ReviewObserver() {
                    }));
            current.put(c.namespace(), c.labels());
            PodObject pod = PodExtractor.extract("Pod", c.pod()).orElseThrow();
            PodSecurityLevels levels = resolver.resolve(new RequestInfo(c.namespace(), c.username(), List.of("system:authenticated")), pod)
                    .rule(PodSecurityLevels.class);
            List<String> problems = new ArrayList<>();
            // an exempt request: PSA says why in its own words (and, for a runtime class, only after
            // its shortcut for a namespace where nothing is checked); podguard gives the exemption's reason
            boolean exempt = c.namespace().equals("exempt-ns") || c.username().startsWith("exempt")
                    || c.pod().path("spec").has("runtimeClassName");
            for (Mode mode : levels == null && exempt ? List.<Mode>of() : List.of(Mode.values())) {
                String ours = levels == null ? null : describe(levels.level(mode));
                String theirs = psa.path("policy").path(mode.id()).asString();
                if (!equivalent(ours, theirs)) {
                    problems.add(mode.id() + ": podguard " + ours + ", PSA " + theirs);
                }
            }
            List<String> theirErrors = new ArrayList<>();
            psa.path("policyErrors").forEach(e -> theirErrors.add(e.asString()));
            List<String> ourErrors = levels == null ? List.of() : levels.labelErrors();
            if (!(levels == null && exempt) && !ourErrors.equals(theirErrors)) {
                problems.add("label errors: podguard " + ourErrors + ", PSA " + theirErrors);
            }
            labelErrors += theirErrors.isEmpty() ? 0 : 1;

            JsonNode response = io.podguard.testing.Reviews.response(handle(handler, c));
            boolean allowed = response.path("allowed").asBoolean();
            if (allowed != psa.path("allowed").asBoolean()) {
                problems.add("allowed: podguard " + allowed + ", PSA " + psa.path("allowed").asBoolean());
            }
            String theirMessage = psa.path("message").asString("").replace("pods \"" + c.podName() + "\" is forbidden: ", "");
            String ourMessage = response.path("status").path("message").asString("");
            if (!ourMessage.equals(theirMessage)) {
                problems.add("message: podguard " + ourMessage + "\n      PSA " + theirMessage);
            }
            List<String> theirWarnings = new ArrayList<>();
            psa.path("warnings").forEach(w -> theirWarnings.add(w.asString()));
            List<String> ourWarnings = joined(response.path("warnings"));
            if (!ourWarnings.equals(theirWarnings)) {
                problems.add("warnings: podguard " + ourWarnings + "\n      PSA " + theirWarnings);
            }
            Map<String, String> theirs = annotations(psa.path("auditAnnotations"));
            Map<String, String> ours = annotations(response.path("auditAnnotations"));
            for (String key : exempt ? List.<String>of() : List.of("audit-violations", "error", "enforce-policy")) {
                if (key.equals("enforce-policy") && (levels == null || levels.enforce() == null)) {
                    continue; // PSA always has an enforce level; podguard records one only when it enforces
                }
                if (!java.util.Objects.equals(ours.get(key), theirs.get(key))) {
                    problems.add("audit annotation " + key + ": podguard " + ours.get(key) + ", PSA " + theirs.get(key));
                }
            }
            if (theirs.containsKey("exempt") && !allowed) {
                problems.add("exempt by PSA, denied by podguard");
            }
            denied += allowed ? 0 : 1;
            warned += theirWarnings.isEmpty() ? 0 : 1;
            if (!problems.isEmpty()) {
                differences.add(c.label() + " (" + c.namespace() + ", " + c.username() + ", pod " + c.pod().path("metadata").path("name").asString()
                        + ")\n    " + String.join("\n    ", problems));
            }
        }
        assertThat(differences).as("%d of %d cases differ from Pod Security Admission", differences.size(), cases.size()).isEmpty();
        assertThat(cases.size()).isGreaterThan(10_000);
        assertThat(denied).as("denials among the cases").isGreaterThan(cases.size() / 10);
        assertThat(warned).as("warnings among the cases").isGreaterThan(cases.size() / 25);
        assertThat(labelErrors).as("cases with labels PSA cannot read").isGreaterThan(cases.size() / 4);
    }

    /** PSA's request for a case: its configuration, the namespace with its labels, the pod created. */
    private static String oracleRequest(Case c) {
        ObjectNode root = Json.mapper().createObjectNode();
        Setup psa = c.psaInstead() != null ? c.psaInstead() : c.setup();
        root.put("config", psa.psa());
        ObjectNode ns = root.putObject("namespace");
        ns.put("name", c.namespace());
        ObjectNode labels = ns.putObject("labels");
        // an override naming podSecurity: PSA with its levels and no labels
        if (c.psaInstead() != OVERRIDDEN) {
            c.labels().forEach(labels::put);
        }
        ObjectNode request = root.putObject("request");
        request.put("resource", "pods").put("operation", "CREATE").put("username", c.username()).put("name", c.podName());
        ObjectNode pod = c.pod().deepCopy();
        ((ObjectNode) pod.get("metadata")).put("name", c.podName()).put("namespace", c.namespace());
        request.set("object", pod);
        return Json.mapper().writeValueAsString(root);
    }

    private static byte[] handle(AdmissionHandler handler, Case c) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "u");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", c.namespace()).put("name", c.podName()).put("operation", "CREATE");
        request.putObject("userInfo").put("username", c.username()).putArray("groups").add("system:authenticated");
        ObjectNode pod = c.pod().deepCopy();
        ((ObjectNode) pod.get("metadata")).put("name", c.podName()).put("namespace", c.namespace());
        request.set("object", pod);
        try {
            return handler.handle(Endpoint.VALIDATE, Json.mapper().writeValueAsBytes(root));
        } catch (BadReviewException e) {
            throw new AssertionError(e);
        }
    }

    /** podguard's warnings, one per check, joined back into PSA's one warning per level. */
    private static List<String> joined(JsonNode warnings) {
        Map<String, List<String>> byLevel = new LinkedHashMap<>();
        for (JsonNode w : warnings) {
            String text = w.asString();
            int colon = text.indexOf("\": ");
            assertThat(text).startsWith("would violate PodSecurity \"");
            byLevel.computeIfAbsent(text.substring(0, colon + 3), k -> new ArrayList<>()).add(text.substring(colon + 3));
        }
        List<String> out = new ArrayList<>();
        byLevel.forEach((prefix, details) -> out.add(prefix + String.join(", ", details)));
        return out;
    }

    private static Map<String, String> annotations(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    private static @Nullable String describe(@Nullable LevelVersion lv) {
        return lv == null ? null : lv.toString();
    }

    /** PSA's {@code LevelVersion.Equivalent}: equal, or both privileged; a mode podguard leaves off is privileged. */
    private static boolean equivalent(@Nullable String ours, String theirs) {
        boolean ourPrivileged = ours == null || ours.startsWith(Level.PRIVILEGED.id() + ":");
        boolean theirPrivileged = theirs.startsWith(Level.PRIVILEGED.id() + ":");
        return ourPrivileged && theirPrivileged || theirs.equals(ours);
    }

    /**
     * Every mode's level and version labels alone (absent, valid, invalid), enforce with warn in
     * every combination (warn follows a stricter enforce label), and a seeded sample of all six.
     */
    private static List<Map<String, String>> labelSets() {
        List<Map<String, String>> out = new ArrayList<>();
        List<String[]> modes = List.of(
                new String[] {PodSecurityLabels.ENFORCE, PodSecurityLabels.ENFORCE_VERSION},
                new String[] {PodSecurityLabels.AUDIT, PodSecurityLabels.AUDIT_VERSION},
                new String[] {PodSecurityLabels.WARN, PodSecurityLabels.WARN_VERSION});
        List<String> levels = new ArrayList<>();
        levels.add(ABSENT);
        levels.addAll(LEVELS);
        List<String> versions = new ArrayList<>();
        versions.add(ABSENT);
        versions.addAll(VERSIONS);
        for (String[] mode : modes) {
            for (String level : levels) {
                for (String version : versions) {
                    Map<String, String> labels = new TreeMap<>();
                    put(labels, mode[0], level);
                    put(labels, mode[1], version);
                    out.add(labels);
                }
            }
        }
        for (String el : levels) {
            for (String ev : List.of("latest", "v1.25", "bad")) {
                for (String wl : levels) {
                    for (String wv : new String[] {ABSENT, "v1.30", "bad"}) {
                        Map<String, String> labels = new TreeMap<>();
                        put(labels, PodSecurityLabels.ENFORCE, el);
                        put(labels, PodSecurityLabels.ENFORCE_VERSION, ev);
                        put(labels, PodSecurityLabels.WARN, wl);
                        put(labels, PodSecurityLabels.WARN_VERSION, wv);
                        labels.put("team", "a"); // other labels change nothing
                        out.add(labels);
                    }
                }
            }
        }
        Random random = new Random(20_260_919L);
        for (int i = 0; i < 1_200; i++) {
            Map<String, String> labels = new TreeMap<>();
            for (String[] mode : modes) {
                put(labels, mode[0], levels.get(random.nextInt(levels.size())));
                put(labels, mode[1], versions.get(random.nextInt(versions.size())));
            }
            out.add(labels);
        }
        return out;
    }

    private static void put(Map<String, String> labels, String key, @Nullable String value) {
        if (value != null) {
            labels.put(key, value);
        }
    }

    private static ObjectNode pod(String spec) {
        return (ObjectNode) Json.mapper().readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":" + spec + "}");
    }

    private static final String RESTRICTED_CONTAINER = "{\"name\":\"c\",\"image\":\"nginx:1\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
            + "\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}";

    private static ObjectNode restrictedPod() {
        return pod("{\"containers\":[" + RESTRICTED_CONTAINER + "]}");
    }

    /** Refused by baseline and restricted alike. */
    private static ObjectNode hostNetworkPod() {
        return pod("{\"hostNetwork\":true,\"containers\":[" + RESTRICTED_CONTAINER + "]}");
    }

    /** Baseline allows it; restricted does not (at every version). */
    private static ObjectNode runAsRootPod() {
        return pod("{\"containers\":[" + RESTRICTED_CONTAINER.replace("\"runAsNonRoot\":true,", "") + "]}");
    }
}
