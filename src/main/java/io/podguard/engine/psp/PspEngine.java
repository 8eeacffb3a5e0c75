package io.podguard.engine.psp;

import io.fabric8.zjsonpatch.JsonDiff;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Chooses the PodSecurityPolicy that admits a pod, as Kubernetes' admission plugin did
 * ({@code computeSecurityContext}): policies are tried in name order (on validation, the one
 * named in the pod's {@code kubernetes.io/psp} annotation first); each defaults a copy of the
 * pod and judges it; the first that admits the pod without changing it wins; failing that, the
 * first that admits it after its defaults, when mutation is allowed; failing that, the pod is
 * refused with every policy's errors. Pure and thread-safe.
 */
public final class PspEngine {

    /** The annotation recording the policy that admitted a pod, as PSP wrote it. */
    public static final String VALIDATED_PSP_ANNOTATION = "kubernetes.io/psp";

    private PspEngine() {
    }

    /**
     * Judges {@code pod} by the policies of {@code set} bound to its namespace and service account.
     *
     * @see #admit(List, PodObject, boolean)
     */
    public static PspDecision admit(PspSet set, PodObject pod, RequestInfo info, boolean mutationAllowed) {
        String namespace = info.namespace() != null ? info.namespace() : pod.namespace();
        return admit(set.applicable(namespace, serviceAccount(pod)), pod, mutationAllowed);
    }

    /** The pod's service account; the ServiceAccount admission plugin sets {@code default} when none is named. */
    public static String serviceAccount(PodObject pod) {
        String sa = pod.podSpec().getServiceAccountName();
        return sa == null || sa.isEmpty() ? "default" : sa;
    }

    /**
     * @param candidates the policies that apply to this pod ({@link PspSet#applicable})
     * @param mutationAllowed true on /mutate for a created pod (and when judging a workload's
     *                        template or in audit and warn modes, where the pod will be or would
     *                        have been defaulted); false when judging the final pod on /validate
     */
    public static PspDecision admit(List<PspProvider> candidates, PodObject pod, boolean mutationAllowed) {
        ArrayNode noPatch = Json.mapper().createArrayNode();
        if (candidates.isEmpty()) {
            return new PspDecision(null, false, noPatch, Map.of(), true);
        }
        List<PspProvider> order = new ArrayList<>(candidates);
        String hint = mutationAllowed ? null : hint(pod);
        order.sort((a, b) -> {
            if (hint != null && !a.name().equals(b.name())) {
                if (a.name().equals(hint)) {
                    return -1;
                }
                if (b.name().equals(hint)) {
                    return 1;
                }
            }
            return a.name().compareTo(b.name());
        });
        ObjectNode original = pod.object();
        List<ContainerRef> containers = ContainerRef.all(pod.podSpec());
        Map<String, List<FieldError>> errors = new LinkedHashMap<>();
        ObjectNode firstMutated = null;
        String firstMutating = null;
        for (PspProvider provider : order) {
            ObjectNode copy = original.deepCopy();
            PodJson podJson = new PodJson(pod.isPod() ? copy : (ObjectNode) copy.at(pod.podPointer()));
            provider.mutate(podJson, containers);
            List<FieldError> found = provider.validate(podJson, containers);
            if (!found.isEmpty()) {
                errors.put(provider.name(), prefixed(found, pod.pathPrefix()));
                continue;
            }
            boolean mutated = !copy.equals(original);
            if (!mutated) {
                return new PspDecision(provider.name(), false, patch(original, copy, pod, provider.name(), mutationAllowed), Map.of(), false);
            }
            if (mutationAllowed && firstMutated == null) {
                firstMutated = copy;
                firstMutating = provider.name();
            }
        }
        if (firstMutated != null) {
            return new PspDecision(firstMutating, true, patch(original, firstMutated, pod, firstMutating, true), Map.of(), false);
        }
        return new PspDecision(null, false, noPatch, errors, false);
    }

    /** The pod's {@code kubernetes.io/psp} annotation, if any. */
    static @Nullable String hint(PodObject pod) {
        return pod.podMeta().getAnnotations() == null ? null : pod.podMeta().getAnnotations().get(VALIDATED_PSP_ANNOTATION);
    }

    /**
     * True for an update that changes only what the garbage collector changes (owner
     * references, finalizers): PSP let those through unjudged, since whoever may update and
     * delete the pod may do that.
     */
    public static boolean onlyGarbageCollectionFields(@Nullable JsonNode object, @Nullable JsonNode oldObject) {
        if (!(object instanceof ObjectNode obj) || !(oldObject instanceof ObjectNode old)) {
            return false;
        }
        ObjectNode a = obj.deepCopy();
        ObjectNode b = old.deepCopy();
        for (String field : List.of("ownerReferences", "finalizers", "managedFields", "selfLink")) {
            if (a.get("metadata") instanceof ObjectNode m) {
                m.remove(field);
            }
            if (b.get("metadata") instanceof ObjectNode m) {
                m.remove(field);
            }
        }
        return a.equals(b);
    }

    private static ArrayNode patch(ObjectNode original, ObjectNode chosen, PodObject pod, String policy, boolean mutationAllowed) {
        if (!mutationAllowed) {
            return Json.mapper().createArrayNode();
        }
        ObjectNode podNode = pod.isPod() ? chosen : (ObjectNode) chosen.at(pod.podPointer());
        SeccompStrategy.fieldForDefault(new PodJson(pod.isPod() ? original : (ObjectNode) original.at(pod.podPointer())), new PodJson(podNode));
        if (!Objects.equals(new PodJson(podNode).annotation(VALIDATED_PSP_ANNOTATION), policy)) {
            new PodJson(podNode).setAnnotation(VALIDATED_PSP_ANNOTATION, policy);
        }
        return (ArrayNode) JsonDiff.asJson(original, chosen);
    }

    private static List<FieldError> prefixed(List<FieldError> errors, String prefix) {
        if (prefix.isEmpty()) {
            return List.copyOf(errors);
        }
        return errors.stream().map(e -> e.under(prefix)).toList();
    }
}
