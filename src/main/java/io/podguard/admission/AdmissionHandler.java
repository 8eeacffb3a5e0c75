package io.podguard.admission;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Judgement;
import io.podguard.engine.KindVerdict;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.engine.Violation;
import io.podguard.engine.defaults.DefaultsReport;
import io.podguard.engine.resources.ExtendedResourcesCheck;
import io.podguard.engine.resources.ResourceRules;
import io.podguard.engine.resources.ResourceRulesEvaluator;
import io.podguard.engine.rules.CelJson;
import io.podguard.engine.rules.CelProjection;
import io.podguard.policy.NamespaceUnavailableException;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.AuditAnnotations;
import io.podguard.report.Review;
import io.podguard.report.ReviewObserver;
import io.podguard.report.WarningFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One review from bytes to bytes: decode, find the pod, resolve the policy, ask the engine,
 * answer by mode, encode. The HTTPS server and the {@code review} command both call this.
 */
public final class AdmissionHandler {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdmissionHandler.class);

    private final Engine engine;
    private final Supplier<PolicyResolver> resolver;
    private final ReviewObserver observer;

    public AdmissionHandler(Engine engine, Supplier<PolicyResolver> resolver, ReviewObserver observer) {
        this.engine = engine;
        this.resolver = resolver;
        this.observer = observer;
    }

    /**
     * @throws BadReviewException for input that is not a review podguard can answer (4xx), and
     *     with status 500 when podguard itself failed (a bug: logged with its trace, counted apart)
     */
    public byte[] handle(Endpoint endpoint, byte[] body) throws BadReviewException {
        long start = System.nanoTime();
        AdmissionRequest request;
        try {
            request = AdmissionReviewCodec.decode(body);
        } catch (BadReviewException e) {
            observer.rejected(endpoint.id(), e.status());
            throw e;
        }
        AdmissionResponse response;
        try {
            response = review(endpoint, request);
        } catch (BadReviewException e) {
            observer.rejected(endpoint.id(), e.status());
            throw e;
        } catch (Throwable e) {
            // A pod podguard cannot judge is a podguard bug, not bad input (a StackOverflowError
            // included): logged with its trace, counted as an error, and the apiserver hears a
            // one-line 500 and applies the webhook's failurePolicy.
            LOG.error("review {} of {} {}/{} failed", request.uid(), request.kind(), request.namespace(), request.name(), e);
            observer.failed(endpoint.id(), e);
            throw new BadReviewException(500, "podguard could not review this " + request.kind() + ": internal error ("
                    + e.getClass().getSimpleName() + ")");
        }
        byte[] out = AdmissionReviewCodec.encode(request.apiVersion(), response);
        observer.reviewed(reportOf(endpoint, request), response.allowed(), response.mode(), System.nanoTime() - start);
        return out;
    }

    AdmissionResponse review(Endpoint endpoint, AdmissionRequest request) throws BadReviewException {
        if (!request.isCreate() && !request.isUpdate()) {
            return AdmissionResponse.allow(request.uid());
        }
        if (!judgedSubresource(request)) {
            return AdmissionResponse.allow(request.uid());
        }
        if (request.sentObject() == null) {
            throw new BadReviewException(400, "AdmissionReview request.object is missing for " + request.operation());
        }
        Optional<PodObject> found;
        // one policy for the whole review, even should a new one be loaded meanwhile
        PolicyResolver policies = resolver.get();
        // a Pod judged by CEL: what the rules read of it is built while it is typed, its bytes read once
        CelProjection celReads = endpoint == Endpoint.VALIDATE ? policies.celReads() : null;
        CelJson.OnePass onePass = celReads == null || !request.sentObject().hasBytes() ? null
                : new CelJson.OnePass(celReads, request.sentObject()::parserAt);
        try {
            // The defaults (on /mutate) and the rule kinds that read the object's tree build it
            // anyway: the pod is then typed from it, the bytes read once. Typing from the bytes
            // there allocates less but parses the bytes twice, which costs more CPU per review
            // (JMH on the apiserver's /mutate review, bench/results/experiment-mutate-typing.md).
            found = PodExtractor.extract(request.kind(), request.sentObject(),
                    endpoint == Endpoint.MUTATE || policies.readsObjectTree(), onePass == null ? null : onePass::through);
        } catch (IllegalArgumentException e) {
            throw new BadReviewException(400, e.getMessage());
        }
        if (found.isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        PodObject pod = found.get();
        if (onePass != null) {
            onePass.give(pod);
        }
        if (endpoint == Endpoint.MUTATE && (!request.isCreate() || !pod.isPod() || !request.subResource().isEmpty())) {
            // Defaults are for new pods only: an update never gets a patch, a workload keeps its template.
            return AdmissionResponse.allow(request.uid());
        }
        boolean podUpdate = endpoint == Endpoint.VALIDATE && request.isUpdate() && pod.isPod();
        boolean significant = podUpdate && significantUpdate(request, pod);
        // An in-place resize changes resources only, which resource rules judge, as LimitRanger does.
        boolean resize = podUpdate && ResourceRules.RESIZE.equals(request.subResource());
        if (podUpdate && !significant && !resize && !PodUpdates.placementChanged(request, pod)) {
            // Nothing any rule kind judges on a running pod changed: allowed as it is, the policy not even resolved.
            return AdmissionResponse.allow(request.uid());
        }
        RequestInfo info = new RequestInfo(request.namespace() != null ? request.namespace() : pod.namespace(),
                request.username(), request.groups(), request.isUpdate(), request.subResource(), request.oldObject(), request.dryRun(), null);
        EffectivePolicy policy;
        try {
            policy = policies.resolveForAdmission(info, pod);
        } catch (NamespaceUnavailableException e) {
            return namespaceUnavailable(endpoint, request, pod, e);
        }
        if (podUpdate) {
            // Each rule kind says what of an update it judges: most follow PSA (significant updates only);
            // placement judges an update that changes tolerations, node selector or affinity, as
            // PodTolerationRestriction does, whatever PSA thinks of it.
            policy = policy.forPodUpdate(pod, info, significant);
            if (!significant && policy.judgesNothing()) {
                return AdmissionResponse.allow(request.uid());
            }
        }
        Review review = reportOf(endpoint, request);
        if (endpoint == Endpoint.MUTATE) {
            Judgement judgement = engine.judge(pod, policy, info, Stage.MUTATE);
            observer.mutated(review, policy, judgement);
            // A resource that cannot be overcommitted, requested otherwise than limited even after the defaults:
            // the apiserver's validation, which runs before the validating webhooks, would refuse the pod; say why first.
            Violation unstorable = ExtendedResourcesCheck.unstorable(pod, judgement.storedObject());
            if (unstorable != null) {
                return new AdmissionResponse(request.uid(), false, 422, ResourceRulesEvaluator.message(List.of(unstorable), true), null,
                        List.of(), Map.of(), policy.defaults().mode().id());
            }
            return mutate(request, policy, judgement);
        }
        Judgement judgement = engine.judge(pod, policy, info, Stage.VALIDATE);
        observer.evaluated(review, policy, judgement);
        return validate(request, pod, policy, judgement.evaluation());
    }

    /**
     * As Pod Security Admission answers when it cannot read the namespace: a pod is refused with an
     * internal error (code 500, its cause in the {@code error} audit annotation), whatever the
     * webhook's failurePolicy; a workload, never denied, is allowed with the same annotation.
     */
    private AdmissionResponse namespaceUnavailable(Endpoint endpoint, AdmissionRequest request, PodObject pod,
                                                   NamespaceUnavailableException e) {
        observer.namespaceUnavailable(reportOf(endpoint, request), e.reason());
        String message = "Internal error occurred: failed to lookup namespace " + io.podguard.engine.Text.goQuote(e.namespace());
        Map<String, String> audit = Map.of(AuditAnnotations.ERROR, message + ": " + e.reason());
        if (!pod.isPod()) {
            return new AdmissionResponse(request.uid(), true, 200, null, null, List.of(), audit, AdmissionResponse.NO_MODE);
        }
        return new AdmissionResponse(request.uid(), false, 500, message, null, List.of(), audit, AdmissionResponse.NO_MODE);
    }

    private static AdmissionResponse mutate(AdmissionRequest request, EffectivePolicy policy, Judgement judgement) {
        // Defaults in a dry run (defaults.mode: audit, placement in audit or warn mode) are not in the
        // patch: the client and the audit log hear what would change.
        List<String> warnings = DefaultsReport.warnings(judgement.wouldSet());
        Map<String, String> audit = new LinkedHashMap<>(judgement.mutationAnnotations());
        if (judgement.defaultsDryRun()) {
            audit.put(DefaultsReport.AUDIT_ANNOTATION, DefaultsReport.summary(judgement.wouldSet()));
        }
        if (judgement.patch().isEmpty() && audit.isEmpty() && warnings.isEmpty()) {
            return AdmissionResponse.allow(request.uid());
        }
        byte[] patch = judgement.patch().isEmpty() ? null : io.podguard.engine.Json.mapper().writeValueAsBytes(judgement.patch());
        return new AdmissionResponse(request.uid(), true, 200, null, patch, warnings, audit, policy.defaults().mode().id());
    }

    private static AdmissionResponse validate(AdmissionRequest request, PodObject pod, EffectivePolicy policy, Evaluation evaluation) {
        Map<String, String> audit = new LinkedHashMap<>(evaluation.annotations());
        for (KindVerdict v : evaluation.verdicts(Mode.AUDIT)) {
            String key = v.wording().auditAnnotation();
            if (!v.passed() && key != null) {
                audit.merge(key, v.message(false), (a, b) -> a + "; " + b);
            }
        }
        // Workloads are not denied (their pods will be): warn at apply time instead of failing silently later.
        String message = pod.isPod() && !evaluation.enforce().isEmpty() ? evaluation.message(Mode.ENFORCE, true) : null;
        List<String> warnings = new ArrayList<>();
        List<WarningFormatter.Group> groups = new ArrayList<>(2);
        List<String> others = new ArrayList<>(0);
        if (!pod.isPod()) {
            warnings(evaluation.verdicts(Mode.ENFORCE), groups, others);
        }
        warnings(evaluation.verdicts(Mode.WARN), groups, others);
        if (!groups.isEmpty()) {
            warnings.addAll(WarningFormatter.standard().format(groups));
        }
        for (String w : others) {
            if (!warnings.contains(w)) {
                warnings.add(w);
            }
        }
        List<MatchedExemption> exempt = evaluation.exemptionsApplied();
        if (!exempt.isEmpty()) {
            // Key without '/': the apiserver prefixes the webhook's name.
            audit.put(AuditAnnotations.EXEMPT, String.join("; ", exempt.stream().map(MatchedExemption::reason).distinct().toList()));
        }
        String mode = policy.decidingMode();
        if (message != null) {
            // As PSA: no warnings on a request that is rejected, the denial says it all.
            return new AdmissionResponse(request.uid(), false, evaluation.denialCode(), message, null, List.of(), audit, mode);
        }
        return new AdmissionResponse(request.uid(), true, 200, null, null, warnings, audit, mode);
    }

    /**
     * Pod Security Standards violations become PSA-style warnings, one per check, fitted to the
     * apiserver's limits; other rule kinds word their own.
     */
    private static void warnings(List<KindVerdict> verdicts, List<WarningFormatter.Group> groups, List<String> others) {
        for (KindVerdict v : verdicts) {
            if (v.passed()) {
                continue;
            }
            if (v.level() != null) {
                groups.add(new WarningFormatter.Group(v.level(), v.violations()));
            } else {
                others.addAll(v.wording().warnings(v.violations()));
            }
        }
    }

    private static Review reportOf(Endpoint endpoint, AdmissionRequest request) {
        return new Review(endpoint.id(), request.uid(), request.group(), request.version(), request.kind(), request.operation(),
                request.namespace(), request.name(), request.username(), request.dryRun());
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
