package io.podguard.admission;

import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.defaults.DefaultsReport;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.engine.pss.PodSecurityEvaluator;
import io.podguard.policy.DefaultsConfig;
import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.PolicyResolver;
import io.podguard.policy.RequestInfo;
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
        if (endpoint == Endpoint.VALIDATE && request.isUpdate() && pod.isPod() && !significantUpdate(request, pod)) {
            return AdmissionResponse.allow(request.uid());
        }
        RequestInfo info = new RequestInfo(
                request.namespace() != null ? request.namespace() : pod.namespace(), request.username(), request.groups());
        EffectivePolicy policy = resolver.get().resolve(info, pod);
        return endpoint == Endpoint.MUTATE ? mutate(request, pod, policy) : validate(request, pod, policy);
    }

    private AdmissionResponse mutate(AdmissionRequest request, PodObject pod, EffectivePolicy policy) {
        // Defaults are for new pods only: an update never gets a patch, a workload keeps its template.
        if (!request.isCreate() || !pod.isPod() || !request.subResource().isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        MutationResult result = engine.mutate(pod, policy);
        observer.mutated(request, pod, policy, result);
        if (result.isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        if (policy.defaults().mode() == DefaultsConfig.DefaultsMode.AUDIT) {
            // A dry run of mutation: the pod is left as sent, the client and the audit log hear what would change.
            return new AdmissionResponse(request.uid(), true, 200, null, null, DefaultsReport.warnings(result.applied()),
                    Map.of(DefaultsReport.AUDIT_ANNOTATION, DefaultsReport.summary(result.applied())), policy.defaults().mode().id());
        }
        byte[] patch = io.podguard.engine.Json.mapper().writeValueAsBytes(result.patch());
        return new AdmissionResponse(request.uid(), true, 200, null, patch, List.of(), Map.of(), policy.defaults().mode().id());
    }

    private AdmissionResponse validate(AdmissionRequest request, PodObject pod, EffectivePolicy policy) {
        Evaluation evaluation = engine.evaluate(pod, policy);
        observer.evaluated(request, pod, policy, evaluation);
        List<String> warnings = new ArrayList<>(0);
        Map<String, String> audit = new LinkedHashMap<>(0);
        boolean denied = false;
        String message = null;
        if (!evaluation.enforce().isEmpty()) {
            if (pod.isPod()) {
                denied = true;
                message = PodSecurityEvaluator.denialMessage(policy.enforce(), evaluation.enforce());
            } else {
                // Workloads are not denied (their pods will be): warn at apply time instead of failing silently later.
                warnings.add(PodSecurityEvaluator.warningMessage(policy.enforce(), evaluation.enforce()));
            }
        }
        if (!evaluation.audit().isEmpty()) {
            audit.put("audit-violations", PodSecurityEvaluator.warningMessage(policy.audit(), evaluation.audit()));
        }
        if (!evaluation.warn().isEmpty()) {
            String warning = PodSecurityEvaluator.warningMessage(policy.warn(), evaluation.warn());
            if (!warnings.contains(warning)) {
                warnings.add(warning);
            }
        }
        String mode = policy.enforce() != null ? "enforce" : policy.warn() != null ? "warn" : policy.audit() != null ? "audit" : AdmissionResponse.NO_MODE;
        if (denied) {
            return new AdmissionResponse(request.uid(), false, 403, message, null, warnings, audit, mode);
        }
        return new AdmissionResponse(request.uid(), true, 200, null, null, warnings, audit, mode);
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
