package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What the apiserver refuses when a ValidatingAdmissionPolicy or a binding is created, podguard
 * refuses when it loads one ({@code podguard config validate}): every case of
 * {@code src/test/resources/rules/vap-compile-cases.yaml} is created in kube-apiserver with
 * {@code dryRun=All} and loaded by podguard; both must refuse it or accept it, name the same
 * fields, and, where CEL speaks, say the same (podguard's one-line form of CEL's report:
 * {@code undeclared reference to 'objct' (at 1:1)}). The differences that remain are listed in
 * {@link #KNOWN}, each with its reason.
 */
class AdmissionPolicyCompileDifferentialIT extends ClusterTest {

    private static final Path CASES = Path.of("src/test/resources/rules/vap-compile-cases.yaml");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** Cases judged differently, and why. */
    private static final Map<String, String> KNOWN = Map.of(
            "authorizer in a validation",
            "podguard judges without the apiserver's authorizer: a policy that asks it is refused, with that reason");

    /** What one side said: refused or not, the fields refused, and per field its message (CEL's in one-line form). */
    record Refusal(boolean refused, Map<String, String> fields) {
    }

    @Test
    void podguardRefusesWhatTheApiserverRefuses() throws Exception {
        JsonNode cases = YAML.readTree(Files.readString(CASES));
        List<String> differences = new ArrayList<>();
        int refusedByBoth = 0;
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String name = c.get("name").asString();
            ObjectNode object = object(c, "pg-e2e-compile-" + i);
            Refusal apiserver = apiserver(object);
            Refusal podguard = podguard(object);
            boolean same = apiserver.refused() == podguard.refused() && apiserver.fields().keySet().equals(podguard.fields().keySet());
            List<String> words = new ArrayList<>();
            if (same) {
                apiserver.fields().forEach((field, message) -> {
                    String ours = podguard.fields().get(field);
                    if (message != null && !message.equals(ours)) {
                        words.add(field + ": apiserver \"" + message + "\", podguard \"" + ours + "\"");
                    }
                });
            }
            if ((!same || !words.isEmpty()) && !KNOWN.containsKey(name)) {
                differences.add(name + "\n  apiserver: " + apiserver + "\n  podguard:  " + podguard + (words.isEmpty() ? "" : "\n  " + words));
            }
            if (apiserver.refused() && podguard.refused()) {
                refusedByBoth++;
            }
        }
        assertThat(differences).as("refusals that differ from kube-apiserver's").isEmpty();
        assertThat(refusedByBoth).as("cases both refuse").isGreaterThan(30);
    }

    /** The case as an object: a policy (matchConstraints for pods unless given) or a binding. */
    private static ObjectNode object(JsonNode c, String name) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("apiVersion", "admissionregistration.k8s.io/v1");
        boolean binding = c.has("binding");
        o.put("kind", binding ? "ValidatingAdmissionPolicyBinding" : "ValidatingAdmissionPolicy");
        o.putObject("metadata").put("name", name);
        ObjectNode spec = ((ObjectNode) c.get(binding ? "binding" : "spec")).deepCopy();
        if (!binding && !spec.has("matchConstraints")) {
            spec.set("matchConstraints", Json.mapper().readTree(
                    "{\"resourceRules\":[{\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"operations\":[\"CREATE\"],\"resources\":[\"pods\"]}]}"));
        }
        if (!binding && !spec.has("failurePolicy")) {
            spec.put("failurePolicy", "Fail");
        }
        if (spec.path("validations").size() > 0 && "LONG".equals(spec.path("validations").get(0).path("expression").asString())) {
            ((ObjectNode) spec.path("validations").get(0)).put("expression", "object.metadata.name != '" + "x".repeat(6000) + "'");
        }
        o.set("spec", spec);
        return o;
    }

    private static Refusal apiserver(ObjectNode object) {
        try {
            if (object.get("kind").asString().equals("ValidatingAdmissionPolicy")) {
                client.resource(Json.mapper().treeToValue(object, ValidatingAdmissionPolicy.class)).dryRun().create();
            } else {
                client.resource(Json.mapper().treeToValue(object, ValidatingAdmissionPolicyBinding.class)).dryRun().create();
            }
            return new Refusal(false, Map.of());
        } catch (KubernetesClientException e) {
            Map<String, String> fields = new TreeMap<>();
            if (e.getStatus() == null || e.getStatus().getDetails() == null || e.getStatus().getDetails().getCauses() == null) {
                fields.put("?", e.getMessage());
            } else {
                for (StatusCause cause : e.getStatus().getDetails().getCauses()) {
                    put(fields, cause.getField(), celWords(cause.getMessage()));
                }
            }
            return new Refusal(true, fields);
        }
    }

    private static Refusal podguard(ObjectNode object) {
        String name = object.at("/metadata/name").asString();
        String file = Json.mapper().writeValueAsString(object);
        if (object.get("kind").asString().equals("ValidatingAdmissionPolicyBinding")) {
            // podguard binds to a policy of the file: give the binding one that loads
            file = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\n"
                    + "spec: {matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]},"
                    + " validations: [{expression: 'true'}]}\n---\n" + file;
        }
        try {
            PolicyLoader.parse(file);
            return new Refusal(false, Map.of());
        } catch (PolicyException e) {
            Map<String, String> fields = new TreeMap<>();
            for (String error : e.errors()) {
                String prefix = object.get("kind").asString() + " " + name + ": ";
                String rest = error.startsWith(prefix) ? error.substring(prefix.length()) : error;
                int colon = rest.indexOf(": ");
                String field = colon < 0 ? rest : rest.substring(0, colon);
                put(fields, field, colon < 0 ? null : ourCelWords(rest.substring(colon + 2)));
            }
            return new Refusal(true, fields);
        }
    }

    /** A field's first message with words to compare. */
    private static void put(Map<String, String> fields, String field, String message) {
        if (fields.get(field) == null) {
            fields.put(field, message);
        }
    }

    /** podguard's CEL refusal as {@link #celWords} gives the apiserver's (several sorted), null for another refusal. */
    private static String ourCelWords(String message) {
        if (message.contains(" (at ")) {
            return String.join("; ", new TreeSet<>(List.of(message.split("; "))));
        }
        Matcher t = TYPE_ERROR.matcher(message);
        return t.find() ? t.group(1) : null;
    }

    private static final Pattern CEL_ERROR = Pattern.compile("ERROR: <input>:(\\d+):(\\d+): (.*)");
    private static final Pattern TYPE_ERROR = Pattern.compile("(must evaluate to .*)$");

    /**
     * The CEL part of a refusal, in podguard's one-line form: {@code compilation failed: ERROR:
     * <input>:1:1: undeclared reference to 'objct' (in container '') | …} becomes
     * {@code undeclared reference to 'objct' (at 1:1)}, several joined with {@code ; }; null for a
     * refusal that is not CEL's (its wording is not compared).
     */
    private static String celWords(String message) {
        List<String> out = new ArrayList<>();
        Matcher m = CEL_ERROR.matcher(message);
        while (m.find()) {
            out.add(m.group(3).replace(" (in container '')", "") + " (at " + m.group(1) + ":" + m.group(2) + ")");
        }
        if (!out.isEmpty()) {
            return String.join("; ", new TreeSet<>(out));
        }
        Matcher t = TYPE_ERROR.matcher(message);
        return t.find() ? t.group(1) : null;
    }
}
