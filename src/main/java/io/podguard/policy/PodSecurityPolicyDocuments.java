package io.podguard.policy;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.podguard.engine.psp.PspDocuments;
import io.podguard.engine.psp.PspSet;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policy files that carry PodSecurityPolicies: PSP documents alone (one or many, lists, or a
 * ConfigMap holding them), a PodGuardPolicy document followed by PSP documents, or a
 * PodGuardPolicy whose {@code podSecurityPolicies} lists PSP objects and file names (relative
 * to the policy file).
 */
final class PodSecurityPolicyDocuments {

    static final String FIELD = "podSecurityPolicies";

    private PodSecurityPolicyDocuments() {
    }

    /**
     * The policy {@code yaml} describes, when it involves PodSecurityPolicies; null for a plain
     * single PodGuardPolicy document, which the loader reads as before.
     *
     * @throws IllegalArgumentException with a one-line-per-problem reason
     */
    static @Nullable Policy read(String yaml, @Nullable PolicyFiles files) {
        PspDocuments.References references = files == null ? null : files::reference;
        List<JsonNode> docs = PspDocuments.documents(yaml);
        List<JsonNode> policyDocs = new ArrayList<>();
        List<PodSecurityPolicy> psps = new ArrayList<>();
        boolean anyPsp = false;
        for (int i = 0; i < docs.size(); i++) {
            JsonNode doc = docs.get(i);
            if (PspDocuments.holdsPolicies(doc)) {
                PspDocuments.collect(doc, "document " + (i + 1), references, psps);
                anyPsp = true;
            } else {
                policyDocs.add(doc);
            }
        }
        if (policyDocs.size() > 1) {
            throw new IllegalArgumentException("a policy file holds one PodGuardPolicy document, found " + policyDocs.size());
        }
        JsonNode policyDoc = policyDocs.isEmpty() ? null : policyDocs.getFirst();
        boolean referencing = policyDoc != null && policyDoc.has(FIELD);
        if (!anyPsp && !referencing) {
            return null;
        }
        if (policyDoc == null) {
            return new Policy(null, null, null, null, null, PspSet.of(psps));
        }
        String kind = policyDoc.get("kind") == null ? null : policyDoc.get("kind").asString();
        if (kind != null && !"PodGuardPolicy".equals(kind) || !policyDoc.isObject()) {
            throw new IllegalArgumentException("document " + (docs.indexOf(policyDoc) + 1) + ": kind " + kind
                    + " is neither PodGuardPolicy nor PodSecurityPolicy");
        }
        ObjectNode tree = ((ObjectNode) policyDoc).deepCopy();
        JsonNode listed = tree.remove(FIELD);
        List<PodSecurityPolicy> referenced = new ArrayList<>();
        if (listed != null && !listed.isNull()) {
            if (!listed.isArray()) {
                throw new IllegalArgumentException(FIELD + ": expected a list of PodSecurityPolicy objects or file names");
            }
            for (int i = 0; i < listed.size(); i++) {
                PspDocuments.collect(listed.get(i), FIELD + "[" + i + "]", references, referenced);
            }
        }
        referenced.addAll(psps);
        // validated with field paths like any policy document
        Policy base = PolicyLoader.bind(tree);
        return base.withPodSecurityPolicies(tree.has("mode") ? base.mode() : null,
                tree.has("podSecurity") ? base.podSecurity() : null, tree.has("defaults") ? base.defaults() : null,
                PspSet.of(referenced));
    }
}
