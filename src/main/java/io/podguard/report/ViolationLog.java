package io.podguard.report;

import io.podguard.admission.AdmissionObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.pss.PodSecurityEvaluator;
import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.Mode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON line per request that violates the policy in any mode, on the {@value #LOGGER}
 * logger:
 * <pre>{"event":"PolicyViolation","uid":"…","namespace":"team-a","name":"web","kind":"Pod","user":"alice",
 * "operation":"CREATE","dryRun":false,"allowed":true,"mode":"audit","checks":["privileged"],
 * "message":"would violate PodSecurity …","violations":[{"mode":"audit","policy":"restricted:latest","checks":[…]}]}</pre>
 * {@code mode}, {@code checks} and {@code message} are those of the strongest mode that found
 * something (enforce, then audit, then warn); {@code violations} has every mode, with its
 * message except for the strongest one (it is the top-level message). Only names,
 * check ids and PSA's messages (which name containers and fields, never values of env or
 * secrets) are written.
 */
public final class ViolationLog implements AdmissionObserver {

    public static final String LOGGER = "podguard.audit";
    public static final String EVENT = "PolicyViolation";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final Consumer<String> sink;

    public ViolationLog() {
        this(LOG::info);
    }

    /** @param sink receives each line; tests collect them */
    public ViolationLog(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public void evaluated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, Evaluation evaluation) {
        if (evaluation.enforce().isEmpty() && evaluation.audit().isEmpty() && evaluation.warn().isEmpty()) {
            return;
        }
        sink.accept(line(request, pod, policy, evaluation));
    }

    static String line(AdmissionRequest request, PodObject pod, EffectivePolicy policy, Evaluation evaluation) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("event", EVENT);
        root.put("uid", request.uid());
        root.put("namespace", request.namespace() != null ? request.namespace() : pod.namespace());
        root.put("name", request.name() != null ? request.name() : pod.name());
        root.put("kind", request.kind());
        root.put("user", request.username());
        root.put("operation", request.operation());
        root.put("dryRun", request.dryRun());
        boolean denied = !evaluation.enforce().isEmpty() && pod.isPod();
        root.put("allowed", !denied);
        ArrayNode all = Json.mapper().createArrayNode();
        ObjectNode strongest = null;
        strongest = add(all, Mode.ENFORCE, policy.enforce(), evaluation.enforce(), denied, strongest);
        strongest = add(all, Mode.AUDIT, policy.audit(), evaluation.audit(), false, strongest);
        strongest = add(all, Mode.WARN, policy.warn(), evaluation.warn(), false, strongest);
        root.put("mode", strongest.get("mode").asString());
        root.set("checks", strongest.get("checks"));
        // The message once: at the top for the strongest mode, in "violations" for the others.
        root.set("message", strongest.remove("message"));
        root.set("violations", all);
        return Json.mapper().writeValueAsString(root);
    }

    /** PSA's message at {@code lv}; without a level (PodSecurityPolicies only), the violations themselves. */
    static String message(@Nullable LevelVersion lv, List<Violation> violations, boolean denied) {
        if (lv == null) {
            return violations.stream().map(Violation::message).collect(Collectors.joining(", "));
        }
        return denied ? PodSecurityEvaluator.denialMessage(lv, violations) : PodSecurityEvaluator.warningMessage(lv, violations);
    }

    private static @Nullable ObjectNode add(ArrayNode all, Mode mode, @Nullable LevelVersion lv, List<Violation> violations,
                                            boolean denied, @Nullable ObjectNode strongest) {
        if (violations.isEmpty()) {
            return strongest;
        }
        ObjectNode node = all.addObject();
        node.put("mode", mode.id());
        // No level when only PodSecurityPolicies judged in this mode.
        node.put("policy", lv == null ? null : lv.toString());
        Set<String> ids = new LinkedHashSet<>();
        violations.forEach(v -> ids.add(v.rule()));
        ArrayNode checks = node.putArray("checks");
        ids.forEach(checks::add);
        node.put("message", message(lv, violations, denied));
        return strongest == null ? node : strongest;
    }
}
