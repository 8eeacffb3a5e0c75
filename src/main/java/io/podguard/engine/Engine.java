package io.podguard.engine;

import io.podguard.engine.defaults.AppliedDefault;
import io.podguard.engine.defaults.DefaultsEngine;
import io.podguard.engine.defaults.Defaulters;
import io.podguard.engine.defaults.MutationResult;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * podguard's core: one entry point, {@link #judge}, that every caller uses — the webhook's two
 * endpoints, {@code review}, {@code check}, {@code audit}, the background audit, and through
 * them reports and metrics. Plain Java, no I/O, thread-safe.
 *
 * <p>The order is fixed: podguard's defaults, then each rule kind's own mutation (PodSecurityPolicy
 * defaults), giving the pod as it would be stored; then every rule kind judges it in each mode
 * its configuration names; then exemptions. What a caller does with the outcome (deny, record,
 * warn, count, report) is the caller's; how it was reached is only here.
 */
public final class Engine {

    private static final Engine STANDARD = new Engine(new DefaultsEngine(Defaulters.all()));

    private final DefaultsEngine defaults;

    public Engine(DefaultsEngine defaults) {
        this.defaults = defaults;
    }

    /** Every rule kind and every defaulter podguard ships. */
    public static Engine standard() {
        return STANDARD;
    }

    /**
     * Judges one object.
     *
     * @param pod the pod as sent (a Pod, or the pod template of a workload)
     * @param policy the policy in force for this request
     * @param request who asks, where, and for what
     * @param stage what of the admission path to cover
     */
    public Judgement judge(PodObject pod, EffectivePolicy policy, RequestInfo request, Stage stage) {
        ArrayNode ops = Json.mapper().createArrayNode();
        List<AppliedDefault> applied = List.of();
        List<AppliedDefault> wouldSet = List.of();
        Map<String, String> annotations = new LinkedHashMap<>(1);
        // The object as the steps so far left it (null: as sent, its tree not built unless something
        // reads it), and, once needed, that object typed; no patch is applied to get them.
        ObjectNode object = null;
        PodObject typed = pod;
        if (stage.defaults(pod)) {
            // Defaults in a dry run (defaults.mode: audit, placement in audit or warn mode) are not in the patch.
            MutationResult result = defaults.mutate(pod, policy);
            applied = result.applied();
            wouldSet = result.wouldApply();
            ops.addAll(result.patch());
            if (result.object() != null) {
                object = result.object();
                typed = null;
            }
            for (RuleSet config : policy.rules()) {
                if (mutates(config)) {
                    if (typed == null) {
                        typed = typed(pod, object);
                    }
                    // Each mutation is relative to the object as the previous steps left it; one patch, in order.
                    Mutation m = mutate(config, typed, request);
                    if (!m.patch().isEmpty()) {
                        ArrayNode all = Json.mapper().createArrayNode();
                        all.addAll(ops);
                        all.addAll(m.patch());
                        ops = all;
                        object = (ObjectNode) JsonPatch.apply(m.patch(), object != null ? object : pod.object());
                        typed = null;
                    }
                    annotations.putAll(m.annotations());
                }
            }
        }
        ObjectNode finalObject = object;
        PodObject known = typed;
        Supplier<PodObject> stored = known != null ? () -> known : () -> typed(pod, Objects.requireNonNull(finalObject));
        Evaluation evaluation = Evaluation.NONE;
        if (stage.judges()) {
            PodObject judged = stored.get();
            // What the apiserver stores: a Pod after the mutations, a workload as sent (its pods are defaulted when created).
            evaluation = evaluate(judged, pod.isPod() ? judged : pod, policy, request);
            stored = () -> judged;
        }
        ArrayNode webhookPatch = pod.isPod() ? ops : Json.mapper().createArrayNode();
        return new Judgement(pod, webhookPatch, applied, wouldSet, annotations, finalObject, stored, evaluation);
    }

    /** {@code object} (the object of {@code pod} with something set) typed; {@code pod} itself should it not read as a pod. */
    private static PodObject typed(PodObject pod, ObjectNode object) {
        return PodExtractor.extract(pod.kind(), object).orElse(pod);
    }

    /**
     * Every rule kind of {@code policy}, exemptions applied: on {@code pod} (the pod as it will
     * run), or on {@code asStored} for kinds that judge what the apiserver stores.
     */
    private Evaluation evaluate(PodObject judgedPod, PodObject asStored, EffectivePolicy policy, RequestInfo sent) {
        RequestInfo request = sent.withNamespaceLabels(policy.namespaceLabels());
        Set<MatchedExemption> applied = new LinkedHashSet<>();
        List<MatchedExemption> perRule = new ArrayList<>(policy.exemptions().size());
        for (MatchedExemption e : policy.exemptions()) {
            if (e.wholeRequest()) {
                applied.add(e);
            } else {
                perRule.add(e);
            }
        }
        if (policy.rules().isEmpty()) {
            return applied.isEmpty() ? Evaluation.NONE : new Evaluation(List.of(), List.copyOf(applied), Map.of());
        }
        List<KindVerdict> verdicts = new ArrayList<>(4);
        Map<String, String> annotations = new LinkedHashMap<>(2);
        for (RuleSet config : policy.rules()) {
            MatchedExemption wholeKind = exemptingKind(config.kind(), perRule);
            if (wholeKind != null) {
                // an exemption of every rule of a kind leaves the kind out, as if it were not configured
                applied.add(wholeKind);
                continue;
            }
            PodObject pod = config.kind().judgesPods() ? judgedPod : asStored;
            Findings findings = run(config, pod, request);
            verdicts.addAll(Exemptions.apply(pod, findings.verdicts(), perRule, copy -> run(config, copy, request).verdicts(), applied));
            annotations.putAll(findings.annotations());
        }
        return new Evaluation(verdicts, List.copyOf(applied), annotations);
    }

    /**
     * The first exemption, of no images, that covers every fixed rule of {@code kind}; null when none does.
     * Such an exemption leaves the kind out, as if it were not configured.
     */
    public static @org.jspecify.annotations.Nullable MatchedExemption exemptingKind(RuleKind<?> kind, List<MatchedExemption> exemptions) {
        Set<String> ids = kind.ruleIds();
        if (ids.isEmpty()) {
            return null;
        }
        for (MatchedExemption e : exemptions) {
            if (e.images() == null && e.rules().containsAll(ids)) {
                return e;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <C extends RuleSet> Findings run(C config, PodObject pod, RequestInfo request) {
        RuleKind<C> kind = (RuleKind<C>) config.kind();
        Findings findings = new Findings(kind.id());
        kind.evaluate(config, pod, request, findings);
        return findings;
    }

    @SuppressWarnings("unchecked")
    private static <C extends RuleSet> boolean mutates(C config) {
        return ((RuleKind<C>) config.kind()).mutates(config);
    }

    @SuppressWarnings("unchecked")
    private static <C extends RuleSet> Mutation mutate(C config, PodObject pod, RequestInfo request) {
        return ((RuleKind<C>) config.kind()).mutate(config, pod, request);
    }
}
