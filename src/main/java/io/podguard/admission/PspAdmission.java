package io.podguard.admission;

import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.engine.psp.PspDecision;
import io.podguard.engine.psp.PspEngine;
import io.podguard.engine.psp.PspPolicy;
import io.podguard.policy.Mode;
import io.podguard.policy.RequestInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;

/**
 * PodSecurityPolicy in the admission path. /mutate (pods, CREATE, enforce mode): the chosen
 * policy's defaults and the {@code kubernetes.io/psp} annotation. /validate: the final pod must
 * be admitted by a policy without change (enforce), or would have been admitted after its
 * defaults (audit, warn, and workload templates, whose pods /mutate will default).
 */
final class PspAdmission {

    /** Audit annotation: the policy that admitted the pod on /mutate. */
    static final String ADMIT_POLICY = "psp-admit-policy";
    /** Audit annotation: the policy that admits (or would admit) the pod on /validate. */
    static final String VALIDATE_POLICY = "psp-validate-policy";
    /** Audit annotation in audit mode: why no policy would admit the pod. */
    static final String AUDIT_VIOLATIONS = "psp-audit-violations";

    private PspAdmission() {
    }

    /** What /validate decided. */
    record Validation(PspDecision decision, Mode mode, boolean mutationAllowed) {

        String message() {
            return decision.message(mutationAllowed);
        }
    }

    /** The chosen policy's defaults for a created pod; null when PSP mutates nothing here. */
    static @Nullable PspDecision mutate(PodObject pod, PspPolicy psp, RequestInfo info) {
        if (psp.mode() != Mode.ENFORCE) {
            // Audit and warn change nothing: the pod is judged on /validate as PSP would have defaulted it.
            return null;
        }
        PspDecision decision = PspEngine.admit(psp.policies(), pod, info, true);
        return decision.allowed() ? decision : null;
    }

    static @Nullable Validation validate(AdmissionRequest request, PodObject pod, PspPolicy psp, RequestInfo info) {
        // PSP judged pods themselves only: no subresource, no update that only the garbage collector makes.
        if (!request.subResource().isEmpty()
                || request.isUpdate() && PspEngine.onlyGarbageCollectionFields(request.object(), request.oldObject())) {
            return null;
        }
        boolean mutationAllowed = psp.mode() != Mode.ENFORCE || !pod.isPod();
        PspDecision decision = PspEngine.admit(psp.policies(), pod, info, mutationAllowed);
        return new Validation(decision, psp.mode(), mutationAllowed);
    }

    /** The evaluation with PSP's violations added under its mode, for observers (metrics, logs). */
    static Evaluation merge(Evaluation evaluation, PspPolicy psp, Validation validation) {
        return psp.addTo(evaluation, validation.decision());
    }

    /** The object with {@code patch} applied, as a pod again: PSP defaults what the other defaulters left. */
    static PodObject applied(PodObject pod, ArrayNode patch) {
        return PspEngine.applied(pod, patch);
    }

    static ArrayNode concat(ArrayNode first, ArrayNode second) {
        ArrayNode all = Json.mapper().createArrayNode();
        all.addAll(first);
        all.addAll(second);
        return all;
    }
}
