package io.podguard.report;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.Judgement;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.PodObject;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
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
public final class ViolationLog implements ReviewObserver {

    public static final String LOGGER = "podguard.audit";
    public static final String EVENT = "PolicyViolation";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final Consumer<String> sink;
    private final BooleanSupplier enabled;

    public ViolationLog() {
        this(LOG::info, LOG::isInfoEnabled);
    }

    /** @param sink receives each line; tests collect them */
    public ViolationLog(Consumer<String> sink) {
        this(sink, () -> true);
    }

    private ViolationLog(Consumer<String> sink, BooleanSupplier enabled) {
        this.sink = sink;
        this.enabled = enabled;
    }

    @Override
    public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
        if (judgement.evaluation().clean() || !enabled.getAsBoolean()) {
            // No line is built for a logger that would drop it.
            return;
        }
        sink.accept(line(review, judgement.sent(), judgement.evaluation()));
    }

    static String line(Review review, PodObject pod, Evaluation evaluation) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("event", EVENT);
        root.put("uid", review.uid());
        root.put("namespace", review.namespace() != null ? review.namespace() : pod.namespace());
        root.put("name", review.name() != null ? review.name() : pod.name());
        root.put("kind", review.kind());
        root.put("user", review.username());
        root.put("operation", review.operation());
        root.put("dryRun", review.dryRun());
        boolean denied = !evaluation.enforce().isEmpty() && pod.isPod();
        root.put("allowed", !denied);
        ArrayNode all = Json.mapper().createArrayNode();
        ObjectNode strongest = null;
        strongest = add(all, Mode.ENFORCE, evaluation, denied, strongest);
        strongest = add(all, Mode.AUDIT, evaluation, false, strongest);
        strongest = add(all, Mode.WARN, evaluation, false, strongest);
        root.put("mode", strongest.get("mode").asString());
        root.set("checks", strongest.get("checks"));
        // The message once: at the top for the strongest mode, in "violations" for the others.
        root.set("message", strongest.remove("message"));
        root.set("violations", all);
        return Json.mapper().writeValueAsString(root);
    }

    private static @Nullable ObjectNode add(ArrayNode all, Mode mode, Evaluation evaluation, boolean denied, @Nullable ObjectNode strongest) {
        if (evaluation.violations(mode).isEmpty()) {
            return strongest;
        }
        ObjectNode node = all.addObject();
        node.put("mode", mode.id());
        // No level when no Pod Security Standards level judged in this mode (PodSecurityPolicies only, say).
        LevelVersion lv = evaluation.level(mode);
        node.put("policy", lv == null ? null : lv.toString());
        Set<String> ids = new LinkedHashSet<>();
        evaluation.violations(mode).forEach(v -> ids.add(v.rule()));
        ArrayNode checks = node.putArray("checks");
        ids.forEach(checks::add);
        node.put("message", evaluation.message(mode, denied));
        return strongest == null ? node : strongest;
    }
}
