package io.podguard.report;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Judgement;
import java.util.List;

/** Told of every review the webhook answers: metrics, logs and Events hang off this. Must not block. */
public interface ReviewObserver {

    ReviewObserver NONE = new ReviewObserver() {
    };

    /** Called once per answered review, with the answer and what decided it (enforce, audit, warn, apply, none). */
    default void reviewed(Review review, boolean allowed, String mode, long nanos) {
    }

    /** Called when an object was judged ({@code /validate}). */
    default void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
    }

    /** Called when a pod was defaulted ({@code /mutate}), whether or not anything was set. */
    default void mutated(Review review, EffectivePolicy policy, Judgement judgement) {
    }

    /** Called for a request refused as bad input. */
    default void rejected(String webhook, int status) {
    }

    /** Called when podguard itself failed to review a request: a bug, answered with a one-line error. */
    default void failed(String webhook, Throwable error) {
    }

    /**
     * Called when a request was refused (a workload: allowed with an {@code error} annotation)
     * because its namespace could change the decision and could not be read.
     */
    default void namespaceUnavailable(Review review, String reason) {
    }

    /** Tells each of {@code observers}, in order. */
    static ReviewObserver composite(List<ReviewObserver> observers) {
        List<ReviewObserver> all = List.copyOf(observers);
        return new ReviewObserver() {
            @Override
            public void reviewed(Review review, boolean allowed, String mode, long nanos) {
                for (ReviewObserver o : all) {
                    o.reviewed(review, allowed, mode, nanos);
                }
            }

            @Override
            public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
                for (ReviewObserver o : all) {
                    o.evaluated(review, policy, judgement);
                }
            }

            @Override
            public void mutated(Review review, EffectivePolicy policy, Judgement judgement) {
                for (ReviewObserver o : all) {
                    o.mutated(review, policy, judgement);
                }
            }

            @Override
            public void rejected(String webhook, int status) {
                for (ReviewObserver o : all) {
                    o.rejected(webhook, status);
                }
            }

            @Override
            public void failed(String webhook, Throwable error) {
                for (ReviewObserver o : all) {
                    o.failed(webhook, error);
                }
            }

            @Override
            public void namespaceUnavailable(Review review, String reason) {
                for (ReviewObserver o : all) {
                    o.namespaceUnavailable(review, reason);
                }
            }
        };
    }
}
