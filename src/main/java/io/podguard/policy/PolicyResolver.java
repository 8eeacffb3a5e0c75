package io.podguard.policy;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.rules.CelProjection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Resolves the policy in force for one request: configuration, namespace overrides, exemptions. */
@FunctionalInterface
public interface PolicyResolver {

    EffectivePolicy resolve(RequestInfo request, PodObject pod);

    /**
     * The policy for a request the webhook answers: as {@link #resolve}, but a namespace that could
     * change the decision and could not be read refuses the request instead of being judged as if
     * it had no labels.
     *
     * @throws NamespaceUnavailableException then
     */
    default EffectivePolicy resolveForAdmission(RequestInfo request, PodObject pod) {
        return resolve(request, pod);
    }

    /**
     * The policy in force in {@code namespace} were its labels {@code labels} (a label change
     * judged before it is made), before any exemption; by default the policy of a request there.
     */
    default EffectivePolicy forNamespace(String namespace, Map<String, String> labels) {
        tools.jackson.databind.node.ObjectNode pod = io.podguard.engine.Json.mapper().createObjectNode();
        pod.putObject("metadata").put("namespace", namespace);
        pod.putObject("spec").putArray("containers");
        return resolve(new RequestInfo(namespace, null, List.of()), io.podguard.engine.PodExtractor.extract("Pod", pod).orElseThrow());
    }

    /** {@code policy} with the exemptions that match {@code request} for {@code pod}; by default none. */
    default EffectivePolicy exempt(EffectivePolicy policy, RequestInfo request, PodObject pod) {
        return policy;
    }

    /**
     * Whether the policies this resolver gives may read a judged object's JSON tree (anything but
     * Pod Security reads it: CEL rules, ValidatingAdmissionPolicies, PSP, placement, resources), so
     * that a pod is best typed from that tree rather than from the review's bytes; by default yes.
     */
    default boolean readsObjectTree() {
        return true;
    }

    /**
     * What the CEL rules and ValidatingAdmissionPolicies of this resolver's policies read of a Pod
     * (their union), so that it is built while the Pod is typed; null: none reads it.
     */
    default @Nullable CelProjection celReads() {
        return null;
    }

    /** Whether an exemption of the namespace alone leaves every request in it out of Pod Security; by default none does. */
    default boolean exemptsNamespace(String namespace) {
        return false;
    }

    /** One policy for every request, with its namespace overrides (by name only) and exemptions. */
    static PolicyResolver fixed(Policy policy) {
        return new ConfiguredPolicyResolver(policy, NamespaceLabels.NONE, Clock.systemUTC(), ExpiryListener.NONE);
    }

    /** Told once, per loaded policy, of each exemption found expired. */
    @FunctionalInterface
    interface ExpiryListener {
        ExpiryListener NONE = (index, exemption) -> {
        };

        void expired(int index, Exemption exemption);
    }
}
