package io.podguard.admission;

import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.defaults.DefaultsReport;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.engine.placement.PlacementPolicy;
import io.podguard.engine.placement.PlacementRules;
import io.podguard.engine.psp.PspDecision;
import io.podguard.engine.pss.PodSecurityEvaluator;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.engine.resources.ResourceRulesEvaluator;
import io.podguard.engine.rules.RuleInput;
import io.podguard.engine.rules.RuleMessages;
import io.podguard.policy.Exemption;
import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.PolicyResolver;
import io.podguard.policy.RequestInfo;
import io.podguard.report.AuditAnnotations;
import io.podguard.report.WarningFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One review from bytes to bytes: decode, find the pod, resolve the policy, run the engine,
 * decide by mode, encode. The HTTPS server and the {@code review} command both call this.
 */
public final class AdmissionHandler {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdmissionHandler.class);

    private final Engine engine;
    private final Supplier<PolicyResolver> resolver;
    private final AdmissionObserver observer;

    public AdmissionHandler(Engine engine, Supplier<PolicyResolver> resolver, AdmissionObserver observer) {
        this.engine = engine;
        this.resolver = resolver;
        this.observer = observer;
    }

    /** @throws BadReviewException for input that is not a review podguard can answer */
    public byte[] handle(Endpoint endpoint, byte[] body) throws BadReviewException {
        long start = System.nanoTime();
        AdmissionRequest request;
        try {
            request = AdmissionReviewCodec.decode(body);
        } catch (BadReviewException e) {
            observer.rejected(endpoint, e);
            throw e;
        }
        AdmissionResponse response;
        try {
            response = review(endpoint, request);
        } catch (RuntimeException e) {
            // A pod the engine cannot judge is a podguard bug, not bad input; it is logged with its
            // trace, and the apiserver hears a one-line refusal and applies the webhook's failurePolicy.
            LOG.error("review {} of {} {}/{} failed", request.uid(), request.kind(), request.namespace(), request.name(), e);
            BadReviewException error = new BadReviewException(400, "podguard could not review this " + request.kind()
                    + ": " + e.getClass().getSimpleName());
            observer.rejected(endpoint, error);
            throw error;
        }
        byte[] out = AdmissionReviewCodec.encode(request.apiVersion(), response);
        observer.reviewed(endpoint, request, response, System.nanoTime() - start);
        return out;
    }

    AdmissionResponse review(Endpoint endpoint, AdmissionRequest request) throws BadReviewException {
        if (!request.isCreate() && !request.isUpdate()) {
            return AdmissionResponse.allow(request.uid());
        }
        if (!judgedSubresource(request)) {
            return AdmissionResponse.allow(request.uid());
        }
        if (request.object() == null) {
            throw new BadReviewException(400, "AdmissionReview request." + "object is missing for " + request.operation());
        }
        Optional<PodObject> found;
        try {
            found = PodExtractor.extract(request.kind(), request.object());
        } catch (IllegalArgumentException e) {
            throw new BadReviewException(400, e.getMessage());
        }
        if (found.isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        PodObject pod = found.get();
        boolean podUpdate = request.isUpdate() && pod.isPod();
        // An update PSA lets through may still change what placement judges (tolerations added to a pod).
        boolean placementOnly = endpoint == Endpoint.VALIDATE && podUpdate && !significantUpdate(request, pod);
        if (placementOnly && !PodUpdates.placementChanged(request, pod)) {
            return AdmissionResponse.allow(request.uid());
        }
        RequestInfo info = new RequestInfo(
                request.namespace() != null ? request.namespace() : pod.namespace(), request.username(), request.groups());
        EffectivePolicy policy = resolver.get().resolve(info, pod);
        if (podUpdate && !policy.placement().isEmpty()) {
            // As the plugins: a pod's node selector, default tolerations and node are decided at create;
            // an update that changes its tolerations, selector or affinity is judged by what still applies.
            PlacementPolicy onUpdate = request.subResource().isEmpty() && PodUpdates.placementChanged(request, pod)
                    ? policy.placement().onUpdate() : PlacementPolicy.NONE;
            policy = placementOnly ? policy.placementOnly(onUpdate) : policy.withPlacement(onUpdate);
        }
        if (placementOnly && policy.judgesNothing()) {
            return AdmissionResponse.allow(request.uid());
        }
        return endpoint == Endpoint.MUTATE ? mutate(request, pod, policy, info) : validate(request, pod, policy, info);
    }

    private AdmissionResponse mutate(AdmissionRequest request, PodObject pod, EffectivePolicy policy, RequestInfo info) {
        // Defaults are for new pods only: an update never gets a patch, a workload keeps its template.
        if (!request.isCreate() || !pod.isPod() || !request.subResource().isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        MutationResult result = engine.mutate(pod, policy);
        observer.mutated(request, pod, policy, result);
        // Defaults in a dry run (defaults.mode: audit, placement in audit or warn mode) are not in the
        // patch: the client and the audit log hear what would change.
        tools.jackson.databind.node.ArrayNode patchOps = result.patch();
        List<String> warnings = DefaultsReport.warnings(result.wouldApply());
        Map<String, String> audit = new LinkedHashMap<>(0);
        if (!result.wouldApply().isEmpty()) {
            audit.put(DefaultsReport.AUDIT_ANNOTATION, DefaultsReport.summary(result.wouldApply()));
        }
        if (policy.psp() != null) {
            // PSP defaults the pod as the other defaulters left it, so the policy judges what will be created.
            PspDecision psp = PspAdmission.mutate(PspAdmission.applied(pod, patchOps), policy.psp(), info);
            if (psp != null) {
                patchOps = PspAdmission.concat(patchOps, psp.patch());
                audit.put(PspAdmission.ADMIT_POLICY, psp.policy());
            }
        }
        if (patchOps.isEmpty() && audit.isEmpty() && warnings.isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        byte[] patch = patchOps.isEmpty() ? null : io.podguard.engine.Json.mapper().writeValueAsBytes(patchOps);
        return new AdmissionResponse(request.uid(), true, 200, null, patch, warnings, audit, policy.defaults().mode().id());
    }

    private AdmissionResponse validate(AdmissionRequest request, PodObject pod, EffectivePolicy policy, RequestInfo info) {
        Evaluation evaluation = engine.evaluate(pod, policy, ruleInput(request, pod, info));
        PspAdmission.Validation psp = policy.psp() == null ? null : PspAdmission.validate(request, pod, policy.psp(), info);
        observer.evaluated(request, pod, policy, psp == null ? evaluation : PspAdmission.merge(evaluation, policy.psp(), psp));
        Map<String, String> audit = new LinkedHashMap<>(2);
        // As PSA: a pod judged by a policy that checks something is recorded with its enforce level.
        if (policy.enforce() != null && pod.isPod() && !allPrivileged(policy)) {
            audit.put(AuditAnnotations.ENFORCE_POLICY, policy.enforce().toString());
        }
        if (!evaluation.audit().isEmpty()) {
            audit.put(AuditAnnotations.AUDIT_VIOLATIONS, render(policy.audit(), evaluation.audit(), true));
        }
        String message = null;
        List<WarningFormatter.Group> groups = new ArrayList<>(2);
        List<String> resourceWarnings = new ArrayList<>(0);
        if (!evaluation.enforce().isEmpty()) {
            if (pod.isPod()) {
                message = render(policy.enforce(), evaluation.enforce(), false);
            } else {
                // Workloads are not denied (their pods will be): warn at apply time instead of failing silently later.
                warn(groups, resourceWarnings, policy.enforce(), evaluation.enforce());
            }
        }
        if (!evaluation.warn().isEmpty()) {
            warn(groups, resourceWarnings, policy.warn(), evaluation.warn());
        }
        List<String> warnings = new ArrayList<>(groups.isEmpty() ? List.of() : WarningFormatter.standard().format(groups));
        for (String w : resourceWarnings) {
            if (!warnings.contains(w)) {
                warnings.add(w);
            }
        }
        if (psp != null && psp.decision().allowed()) {
            audit.put(PspAdmission.VALIDATE_POLICY, psp.decision().policy());
        } else if (psp != null) {
            String pspMessage = psp.message();
            switch (psp.mode()) {
                case ENFORCE -> {
                    if (pod.isPod()) {
                        message = message == null ? pspMessage : message + "; " + pspMessage;
                    } else {
                        warnings.add(pspMessage);
                    }
                }
                case AUDIT -> audit.put(PspAdmission.AUDIT_VIOLATIONS, pspMessage);
                case WARN -> warnings.add(pspMessage);
            }
        }
        List<Exemption> exempt = policy.applied(evaluation);
        if (!exempt.isEmpty()) {
            // Key without '/': the apiserver prefixes the webhook's name.
            audit.put(AuditAnnotations.EXEMPT, String.join("; ", exempt.stream().map(Exemption::reason).distinct().toList()));
        }
        String mode = policy.decidingMode();
        if (message != null) {
            // As PSA: no warnings on a request that is rejected, the denial says it all.
            return new AdmissionResponse(request.uid(), false, 403, message, null, List.of(), audit, mode);
        }
        return new AdmissionResponse(request.uid(), true, 200, null, null, warnings, audit, mode);
    }

    /** What CEL rules see of this request: its operation, user, namespace and the old object of an update. */
    private static RuleInput ruleInput(AdmissionRequest request, PodObject pod, RequestInfo info) {
        PodObject old = null;
        if (request.isUpdate() && request.oldObject() != null) {
            try {
                old = PodExtractor.extract(request.kind(), request.oldObject()).orElse(null);
            } catch (IllegalArgumentException e) {
                old = null;
            }
        }
        return new RuleInput(pod, old, request.kind(), request.operation(), info.namespace(), info.username(), info.groups(), null,
                request.dryRun());
    }

    /**
     * Pod Security Standards violations become PSA-style warnings, one per check; resource rules,
     * placement rules and CEL rules one each of their own.
     */
    private static void warn(List<WarningFormatter.Group> groups, List<String> resourceWarnings, LevelVersion lv, List<Violation> violations) {
        List<Violation> pss = new ArrayList<>(violations.size());
        for (Violation v : violations) {
            if (ResourceRules.isResourceRule(v.rule())) {
                resourceWarnings.add(ResourceRulesEvaluator.warningMessage(List.of(v)));
            } else if (RuleMessages.isRule(v)) {
                resourceWarnings.add(RuleMessages.warning(v));
            } else if (PlacementRules.isPlacementRule(v.rule())) {
                resourceWarnings.add(PlacementRules.warningMessage(List.of(v)));
            } else {
                pss.add(v);
            }
        }
        if (!pss.isEmpty()) {
            groups.add(new WarningFormatter.Group(lv, pss));
        }
    }

    /**
     * PSA's sentence for Pod Security Standards violations, then a sentence of its own for
     * resource rules, then placement's: {@code violates PodSecurity "restricted:latest": …;
     * violates resource rules: …; pod node label selector conflicts with …}.
     */
    private static String render(LevelVersion lv, List<Violation> violations, boolean would) {
        List<Violation> pss = new ArrayList<>(violations.size());
        List<Violation> resources = new ArrayList<>(0);
        List<Violation> placement = new ArrayList<>(0);
        List<Violation> rules = new ArrayList<>(0);
        for (Violation v : violations) {
            (ResourceRules.isResourceRule(v.rule()) ? resources : RuleMessages.isRule(v) ? rules
                    : PlacementRules.isPlacementRule(v.rule()) ? placement : pss).add(v);
        }
        List<String> out = new ArrayList<>(2);
        if (!pss.isEmpty()) {
            out.add(would ? PodSecurityEvaluator.warningMessage(lv, pss) : PodSecurityEvaluator.denialMessage(lv, pss));
        }
        if (!resources.isEmpty()) {
            out.add(would ? ResourceRulesEvaluator.warningMessage(resources) : ResourceRulesEvaluator.denialMessage(resources));
        }
        if (!placement.isEmpty()) {
            out.add(would ? PlacementRules.warningMessage(placement) : PlacementRules.denialMessage(placement));
        }
        boolean policyDenied = false;
        for (Violation v : rules) {
            if (!would && RuleMessages.isAdmissionPolicy(v)) {
                // as the apiserver: the first ValidatingAdmissionPolicy denial is the message
                if (policyDenied) {
                    continue;
                }
                policyDenied = true;
            }
            out.add(would ? RuleMessages.warning(v) : RuleMessages.denial(v));
        }
        return String.join("; ", out);
    }

    /** PSA skips a namespace whose every mode is privileged: nothing is checked, nothing recorded. */
    private static boolean allPrivileged(EffectivePolicy policy) {
        for (LevelVersion lv : new LevelVersion[] {policy.enforce(), policy.audit(), policy.warn()}) {
            if (lv != null && lv.level() != Level.PRIVILEGED) {
                return false;
            }
        }
        return true;
    }

    /**
     * As PSA: a Pod and its subresources that can change the spec (ephemeralcontainers, resize …)
     * are judged; status, binding, exec … are not; a workload's subresources (scale …) never are.
     */
    private static boolean judgedSubresource(AdmissionRequest request) {
        String sub = request.subResource();
        return sub.isEmpty() || ("Pod".equals(request.kind()) && !PodUpdates.IGNORED_POD_SUBRESOURCES.contains(sub));
    }

    /** An update PSA would re-evaluate; without a readable old object, judge it (fail safe). */
    private static boolean significantUpdate(AdmissionRequest request, PodObject pod) {
        if (request.oldObject() == null) {
            return true;
        }
        try {
            return PodExtractor.extract("Pod", request.oldObject())
                    .map(old -> PodUpdates.isSignificant(pod, old))
                    .orElse(true);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

}
