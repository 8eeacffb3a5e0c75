package io.podguard.admission;

import io.podguard.engine.Evaluation;
import io.podguard.engine.PodObject;
import io.podguard.engine.defaults.MutationResult;
import io.podguard.policy.EffectivePolicy;
import org.jspecify.annotations.Nullable;

/** Told of every answered review: metrics, logs and events hang off this. Must not block. */
public interface AdmissionObserver {

    AdmissionObserver NONE = new AdmissionObserver() {
    };

    /** Called once per answered review. */
    default void reviewed(Endpoint endpoint, AdmissionRequest request, AdmissionResponse response, long nanos) {
    }

    /** Called when a pod was evaluated (validate). */
    default void evaluated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, Evaluation evaluation) {
    }

    /** Called when a pod was defaulted (mutate), whether or not anything was set. */
    default void mutated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, @Nullable MutationResult result) {
    }

    /** Called for a request refused as bad input. */
    default void rejected(Endpoint endpoint, BadReviewException error) {
    }

    /** Tells each of {@code observers}, in order. */
    static AdmissionObserver composite(java.util.List<AdmissionObserver> observers) {
        java.util.List<AdmissionObserver> all = java.util.List.copyOf(observers);
        return new AdmissionObserver() {
            @Override
            public void reviewed(Endpoint endpoint, AdmissionRequest request, AdmissionResponse response, long nanos) {
                for (AdmissionObserver o : all) {
                    o.reviewed(endpoint, request, response, nanos);
                }
            }

            @Override
            public void evaluated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, Evaluation evaluation) {
                for (AdmissionObserver o : all) {
                    o.evaluated(request, pod, policy, evaluation);
                }
            }

            @Override
            public void mutated(AdmissionRequest request, PodObject pod, EffectivePolicy policy, @Nullable MutationResult result) {
                for (AdmissionObserver o : all) {
                    o.mutated(request, pod, policy, result);
                }
            }

            @Override
            public void rejected(Endpoint endpoint, BadReviewException error) {
                for (AdmissionObserver o : all) {
                    o.rejected(endpoint, error);
                }
            }
        };
    }
}
