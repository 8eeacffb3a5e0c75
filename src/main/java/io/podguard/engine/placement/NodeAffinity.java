package io.podguard.engine.placement;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A pod's required node affinity: its node selector terms (any one must hold), each a list of label expressions (all must hold). */
record NodeAffinity(List<List<Expression>> terms) {

    static final String TERMS_PATH = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";

    /** One {@code matchExpressions} entry and its field path within the pod. */
    record Expression(String key, String operator, List<String> values, String path) {

        /** {@code team In (a, b)}, {@code team Exists} … */
        String describe() {
            return values.isEmpty() ? key + " " + operator : key + " " + operator + " (" + String.join(", ", values) + ")";
        }
    }

    static NodeAffinity of(JsonNode pod) {
        JsonNode terms = pod.path("spec").path("affinity").path("nodeAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms");
        List<List<Expression>> out = new ArrayList<>(terms.size());
        for (int i = 0; i < terms.size(); i++) {
            JsonNode expressions = terms.get(i).path("matchExpressions");
            List<Expression> term = new ArrayList<>(expressions.size());
            for (int j = 0; j < expressions.size(); j++) {
                JsonNode e = expressions.get(j);
                List<String> values = new ArrayList<>();
                for (JsonNode v : e.path("values")) {
                    values.add(v.asString());
                }
                term.add(new Expression(e.path("key").asString(""), e.path("operator").asString(""), values,
                        TERMS_PATH + "[" + i + "].matchExpressions[" + j + "]"));
            }
            out.add(term);
        }
        return new NodeAffinity(out);
    }
}
