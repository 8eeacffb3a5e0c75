package io.podguard.policy;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.podguard.engine.Json;
import io.podguard.engine.rules.AdmissionPolicyBinding;
import io.podguard.engine.rules.CompiledAdmissionPolicy;
import io.podguard.engine.rules.RuleCompileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects
 * ({@code admissionregistration.k8s.io/v1}) in a policy file, used unchanged (docs/rules.md):
 * as documents of their own beside (or instead of) the PodGuardPolicy document, or listed under
 * {@code validatingAdmissionPolicies}. Each binding is compiled with its policy once, at load.
 */
final class AdmissionPolicyDocuments {

    static final String API_VERSION = "admissionregistration.k8s.io/v1";
    static final String POLICY_KIND = "ValidatingAdmissionPolicy";
    static final String BINDING_KIND = "ValidatingAdmissionPolicyBinding";

    private AdmissionPolicyDocuments() {
    }

    /** Whether {@code doc} is a ValidatingAdmissionPolicy or a binding. */
    static boolean isAdmissionPolicy(JsonNode doc) {
        JsonNode kind = doc.get("kind");
        return doc.isObject() && kind != null && (POLICY_KIND.equals(kind.asString()) || BINDING_KIND.equals(kind.asString()));
    }

    /**
     * Every binding with its policy, compiled.
     *
     * @throws PolicyException with every error, each naming the object and its field
     */
    static List<AdmissionPolicyBinding> compile(List<JsonNode> objects) {
        List<String> errors = new ArrayList<>();
        Map<String, ValidatingAdmissionPolicy> policies = new LinkedHashMap<>();
        List<ValidatingAdmissionPolicyBinding> bindings = new ArrayList<>();
        for (JsonNode o : objects) {
            String kind = o.path("kind").asString("");
            String name = o.path("metadata").path("name").asString("");
            String where = kind + " " + (name.isEmpty() ? "(no name)" : name);
            if (!API_VERSION.equals(o.path("apiVersion").asString(""))) {
                errors.add(where + ": apiVersion: \"" + o.path("apiVersion").asString("") + "\" is not " + API_VERSION);
                continue;
            }
            if (name.isEmpty()) {
                errors.add(where + ": metadata.name: Required value");
                continue;
            }
            try {
                if (POLICY_KIND.equals(kind)) {
                    if (policies.put(name, Json.mapper().treeToValue(o, ValidatingAdmissionPolicy.class)) != null) {
                        errors.add(where + ": another " + POLICY_KIND + " has this name");
                    }
                } else {
                    bindings.add(Json.mapper().treeToValue(o, ValidatingAdmissionPolicyBinding.class));
                }
            } catch (JacksonException e) {
                errors.add(where + ": " + e.getOriginalMessage());
            }
        }
        // every policy is compiled, bound or not, and refused as the apiserver would refuse it
        Map<String, CompiledAdmissionPolicy> compiled = new LinkedHashMap<>();
        for (Map.Entry<String, ValidatingAdmissionPolicy> p : policies.entrySet()) {
            try {
                compiled.put(p.getKey(), CompiledAdmissionPolicy.compile(p.getValue()));
            } catch (RuleCompileException e) {
                e.errors().forEach(error -> errors.add(POLICY_KIND + " " + p.getKey() + ": " + error));
            }
        }
        List<AdmissionPolicyBinding> out = new ArrayList<>();
        for (ValidatingAdmissionPolicyBinding b : bindings) {
            String where = BINDING_KIND + " " + b.getMetadata().getName();
            String policyName = b.getSpec() == null ? null : b.getSpec().getPolicyName();
            if (policyName == null || !policies.containsKey(policyName)) {
                errors.add(where + ": spec.policyName: no " + POLICY_KIND + " \"" + policyName + "\" in the policy file");
                continue;
            }
            try {
                out.add(AdmissionPolicyBinding.bind(compiled.get(policyName), b));
            } catch (RuleCompileException e) {
                for (String error : e.errors()) {
                    errors.add(where + ": " + error.substring(error.indexOf(": ") + 2));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new PolicyException(errors.stream().distinct().toList());
        }
        return List.copyOf(out);
    }
}
