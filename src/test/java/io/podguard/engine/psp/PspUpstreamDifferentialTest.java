package io.podguard.engine.psp;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.testing.PspOracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * podguard's PodSecurityPolicy engine against Kubernetes' own PSP admission plugin, run: v1.24.17's
 * {@code plugin/pkg/admission/security/podsecuritypolicy} with its strategies, in
 * {@code src/test/cluster/psp-oracle}, over {@value #CASES} seeded generated cases ({@link PspCases})
 * in one process. Each case's policies are given to both (to podguard with its binding annotations
 * standing for the oracle's "use" grants: granted to the user, to everyone; to the pod's service
 * account only, {@code podguard.io/service-accounts: team-a:<account>}; to neither, another
 * namespace), and the pod the apiserver would have sent, defaulted. Compared, for every case:
 *
 * <ul>
 *   <li>on create, the mutating answer: admitted or not, the chosen policy, the pod after
 *       podguard's patch equal to the pod after upstream's {@code Admit} (JSON, whole), and the
 *       refusal's text;</li>
 *   <li>the validating answer on that admitted pod, and on the pod as sent (what /validate says
 *       when nothing was defaulted; updates included): admitted or not, the policy
 *       ({@code validate-policy}), the text;</li>
 *   <li>a policy upstream's validation refuses, podguard refuses.</li>
 * </ul>
 *
 * Texts are compared whole, except that upstream lists the failing policies' errors in Go's map
 * order (random): a text matches when it is podguard's with the policies' groups in some order.
 * Two differences are by design and counted (see docs/psp.md): when no policy applies to the pod
 * podguard says so ({@code no providers available…}) where upstream, whose grants podguard has no
 * user to check against, lists {@code []}; and on /validate podguard explains an empty list. The
 * figures go to {@code target/psp-differential.txt}.
 */
class PspUpstreamDifferentialTest {

    static final int CASES = 2_500;
    private static final long SEED = 20_261_202L;

    private final Map<String, Integer> figures = new TreeMap<>();
    private final List<String> differences = new ArrayList<>();
    private final Map<String, Integer> rulesCompared = new TreeMap<>();

    @Test
    void podguardAdmitsMutatesAndRefusesAsKubernetesPspPluginDoes() throws IOException {
        PspCases generator = new PspCases(SEED);
        ArrayNode cases = Json.mapper().createArrayNode();
        for (int i = 0; i < CASES; i++) {
            cases.add(generator.next(i));
        }
        ArrayNode answers = PspOracle.answers(cases);
        for (int i = 0; i < CASES; i++) {
            compare(i, (ObjectNode) cases.get(i), answers.get(i));
        }
        StringBuilder report = new StringBuilder("podguard's PSP engine against Kubernetes v1.24.17's PodSecurityPolicy plugin, "
                + CASES + " generated cases (seed " + SEED + ")\n");
        figures.forEach((k, v) -> report.append(String.format("%-48s %6d%n", k, v)));
        report.append("refusals whose compared text has an error of each rule:\n");
        rulesCompared.forEach((k, v) -> report.append(String.format("  %-46s %6d%n", k, v)));
        report.append("differences: ").append(differences.size()).append('\n');
        differences.stream().limit(400).forEach(d -> report.append(d).append("\n\n"));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/psp-differential.txt"), report);

        assertThat(differences).as("%d of %d cases differ from upstream:\n%s", differences.size(), CASES,
                String.join("\n\n", differences.stream().limit(15).toList())).isEmpty();
        // The corpus reaches every outcome, so that the comparison means something.
        assertThat(figures.getOrDefault("create: admitted unchanged", 0)).isGreaterThan(CASES / 20);
        assertThat(figures.getOrDefault("create: admitted with defaults", 0)).isGreaterThan(CASES / 10);
        assertThat(figures.getOrDefault("create: refused", 0)).isGreaterThan(CASES / 5);
        assertThat(figures.getOrDefault("validate as sent: refused", 0)).isGreaterThan(CASES / 5);
        assertThat(figures.getOrDefault("update: judged", 0)).isGreaterThan(CASES / 40);
        assertThat(figures.getOrDefault("update: garbage collection only", 0)).isGreaterThan(CASES / 40);
        assertThat(figures.getOrDefault("policies refused by both", 0)).isGreaterThan(0);
        // Every rule's errors were compared, text and all, many times over.
        assertThat(rulesCompared.keySet()).containsAll(PspRules.ALL.stream()
                .filter(r -> !r.equals(PspRules.NO_POLICY) && !r.equals(PspRules.NEEDS_DEFAULTS)).toList());
        assertThat(rulesCompared.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(10));
    }

    private void compare(int index, ObjectNode c, JsonNode answer) {
        String label = "case " + index;
        if (answer.has("failure")) {
            differences.add(label + ": the oracle failed: " + answer.get("failure").asString() + "\n  case: " + c);
            return;
        }
        List<PodSecurityPolicy> policies = podguardPolicies(c);
        PspSet set;
        try {
            set = PspSet.of(policies);
        } catch (IllegalArgumentException e) {
            if (answer.has("policyErrors")) {
                count("policies refused by both");
            } else {
                differences.add(label + ": podguard refuses policies upstream accepts: " + e.getMessage() + "\n  policies: " + c.get("policies"));
            }
            return;
        }
        if (answer.has("policyErrors")) {
            differences.add(label + ": podguard accepts policies upstream refuses: " + answer.get("policyErrors") + "\n  policies: " + c.get("policies"));
            return;
        }
        ObjectNode input = typed(answer.get("input"));
        if (input.toString().contains("/../")) {
            // podguard cleans host paths before matching prefixes; upstream matched the raw string, so that
            // /var/log/../../etc passed /var/log. The apiserver refuses such a pod anyway (no ".." in hostPath).
            count("by design: hostPath with .. (the apiserver refuses the pod)");
            return;
        }
        JsonNode podSeccompField = input.at("/spec/securityContext/seccompProfile");
        if (!podSeccompField.isMissingNode() && !input.at("/metadata/annotations").has(SeccompStrategy.POD_ANNOTATION)) {
            // Upstream's Admit copied the field into the deprecated annotation, so every policy "changed" such a pod
            // (and the v1.24 apiserver kept the two in sync before Validate); podguard leaves the field alone.
            count("by design: seccompProfile field not copied into the annotation");
            return;
        }
        PodObject pod = PspFixtures.podObject(input);
        List<PspProvider> candidates = set.applicable(PspCases.NAMESPACE, PspEngine.serviceAccount(pod));
        boolean create = c.get("operation").asString().equals("CREATE");
        String context = "\n  policies: " + c.get("policies") + "\n  user may use: " + c.get("userMayUse")
                + ", service account may use: " + c.get("serviceAccountMayUse") + "\n  pod: " + input;
        if (create) {
            JsonNode admit = answer.get("admit");
            PspDecision mutate = PspEngine.admit(candidates, pod, true);
            if (admit.has("error")) {
                count("create: refused");
                if (mutate.allowed()) {
                    differences.add(label + " (create, mutating): podguard admits with " + mutate.policy() + ", upstream refuses: "
                            + admit.get("error").asString() + context);
                } else {
                    message(label + " (create, mutating)", mutate, true, admit.get("error").asString(), context);
                }
            } else {
                ObjectNode admitted = typed(admit.get("pod"));
                if (!mutate.allowed()) {
                    differences.add(label + " (create, mutating): podguard refuses: " + mutate.message(true) + "; upstream admits with "
                            + admit.get("policy").asString() + context);
                } else {
                    count(mutate.mutated() ? "create: admitted with defaults" : "create: admitted unchanged");
                    JsonNode patched = JsonPatch.apply(mutate.patch(), input);
                    JsonNode defaultProfile = admitted.at("/metadata/annotations").get(SeccompStrategy.POD_ANNOTATION);
                    if (defaultProfile != null && !input.at("/metadata/annotations").has(SeccompStrategy.POD_ANNOTATION)
                            && patched.at("/spec/securityContext/seccompProfile").equals(SeccompStrategy.fieldFor(defaultProfile.asString()))) {
                        // podguard puts the policy's default profile in the field too, which is what takes effect today.
                        count("by design: default seccomp profile also in the field");
                        patched = patched.deepCopy();
                        ((ObjectNode) patched.get("spec").get("securityContext")).remove("seccompProfile");
                        if (patched.get("spec").get("securityContext").isEmpty() && !admitted.get("spec").has("securityContext")) {
                            ((ObjectNode) patched.get("spec")).remove("securityContext");
                        }
                    }
                    if (!mutate.policy().equals(admit.get("policy").asString())) {
                        differences.add(label + " (create, mutating): podguard chooses " + mutate.policy() + ", upstream "
                                + admit.get("policy").asString() + context);
                    } else if (!patched.equals(admitted)) {
                        differences.add(label + " (create, mutating): the pods differ after " + mutate.policy()
                                + "\n  podguard: " + patched + "\n  upstream: " + admitted + context);
                    } else {
                        validate(label + " (create, validating the admitted pod)", candidates, PspFixtures.podObject(admitted),
                                answer.get("validate"), context);
                    }
                }
            }
            validate(label + " (create, validating as sent)", candidates, pod, answer.get("validateInput"), context);
        } else {
            if (PspEngine.onlyGarbageCollectionFields(c.get("pod"), c.get("oldPod"))) {
                count("update: garbage collection only");
                JsonNode v = answer.get("validateInput");
                if (v.has("error") || v.has("policy")) {
                    differences.add(label + " (update, finalizers only): podguard leaves it unjudged, upstream: " + v + context);
                }
            } else {
                count("update: judged");
                validate(label + " (update)", candidates, pod, answer.get("validateInput"), context);
            }
        }
    }

    private void validate(String label, List<PspProvider> candidates, PodObject pod, JsonNode upstream, String context) {
        PspDecision decision = PspEngine.admit(candidates, pod, false);
        String as = label.contains("as sent") ? "validate as sent: " : "validate: ";
        if (upstream.has("error")) {
            count(as + "refused");
            if (decision.allowed()) {
                differences.add(label + ": podguard admits with " + decision.policy() + ", upstream refuses: "
                        + upstream.get("error").asString() + context);
            } else {
                message(label, decision, false, upstream.get("error").asString(), context);
            }
        } else {
            count(as + "admitted");
            String policy = upstream.has("policy") ? upstream.get("policy").asString() : "";
            if (!decision.allowed()) {
                differences.add(label + ": podguard refuses: " + decision.message(false) + "; upstream admits with " + policy + context);
            } else if (!decision.policy().equals(policy)) {
                differences.add(label + ": podguard admits with " + decision.policy() + ", upstream with " + policy + context);
            }
        }
    }

    /** Compares podguard's refusal text with upstream's error, after {@code pods "name" is forbidden: }. */
    private void message(String label, PspDecision decision, boolean mutationAllowed, String upstreamError, String context) {
        String upstream = upstreamError.substring(upstreamError.indexOf("is forbidden: ") + "is forbidden: ".length());
        String ours = decision.message(mutationAllowed);
        if (decision.noPolicy()) {
            count("by design: no policy applies (podguard names it)");
            if (!ours.equals("PodSecurityPolicy: no providers available to validate pod request")
                    || !upstream.equals("PodSecurityPolicy: unable to " + (mutationAllowed ? "admit" : "validate") + " pod: []")) {
                differences.add(label + ": no policy applies; podguard: " + ours + "\n  upstream: " + upstream + context);
            }
            return;
        }
        if (!mutationAllowed && ours.endsWith(PspDecision.MISSING_DEFAULTS_HINT)) {
            count("by design: /validate explains an empty list");
            ours = ours.substring(0, ours.length() - PspDecision.MISSING_DEFAULTS_HINT.length());
        }
        if (ours.equals(upstream)) {
            count("messages identical");
            compared(decision);
            return;
        }
        for (List<String> order : orders(new ArrayList<>(decision.errors().keySet()))) {
            List<String> errors = new ArrayList<>();
            order.forEach(p -> decision.errors().get(p).forEach(e -> errors.add(e.toString())));
            String rendered = "PodSecurityPolicy: unable to " + (mutationAllowed ? "admit" : "validate") + " pod: ["
                    + String.join(" ", errors) + "]";
            if (rendered.equals(upstream)) {
                count("messages identical but for Go's map order");
                compared(decision);
                return;
            }
        }
        differences.add(label + ": the refusals differ\n  podguard: " + ours + "\n  upstream: " + upstream + context);
    }

    private static List<List<String>> orders(List<String> names) {
        if (names.size() <= 1) {
            return List.of(names);
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            List<String> rest = new ArrayList<>(names);
            String first = rest.remove(i);
            for (List<String> tail : orders(rest)) {
                List<String> o = new ArrayList<>();
                o.add(first);
                o.addAll(tail);
                out.add(o);
            }
        }
        return out;
    }

    /** The case's policies with podguard's binding annotations for the oracle's "use" grants. */
    private static List<PodSecurityPolicy> podguardPolicies(ObjectNode c) {
        List<String> user = strings(c.get("userMayUse"));
        List<String> sa = strings(c.get("serviceAccountMayUse"));
        JsonNode podSpec = c.get("pod").get("spec");
        String account = podSpec.has("serviceAccountName") ? podSpec.get("serviceAccountName").asString() : "default";
        List<PodSecurityPolicy> out = new ArrayList<>();
        for (JsonNode p : c.get("policies")) {
            ObjectNode copy = (ObjectNode) p.deepCopy();
            String name = copy.get("metadata").get("name").asString();
            if (!user.contains(name)) {
                ObjectNode annotations = ((ObjectNode) copy.get("metadata")).withObject("annotations");
                if (sa.contains(name)) {
                    annotations.put(PspBinding.SERVICE_ACCOUNTS_ANNOTATION, PspCases.NAMESPACE + ":" + account);
                } else {
                    annotations.put(PspBinding.NAMESPACES_ANNOTATION, "elsewhere");
                }
            }
            out.add(Json.convert(copy, PodSecurityPolicy.class));
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    /** The oracle's pod (Go leaves TypeMeta out) as a webhook receives it. */
    private static ObjectNode typed(JsonNode pod) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("apiVersion", "v1");
        out.put("kind", "Pod");
        pod.properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }

    /** Counts the rules whose errors were among those compared. */
    private void compared(PspDecision decision) {
        decision.allErrors().stream().map(FieldError::rule).distinct().forEach(rule -> rulesCompared.merge(rule, 1, Integer::sum));
    }

    private void count(String figure) {
        figures.merge(figure, 1, Integer::sum);
    }
}
