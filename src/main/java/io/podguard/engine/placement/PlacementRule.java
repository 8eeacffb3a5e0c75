package io.podguard.engine.placement;

import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.Mode;
import org.jspecify.annotations.Nullable;

/** One placement rule: its id, the mode the policy gives it, and its violation of one pod (null when it passes). */
public interface PlacementRule {

    String id();

    /** The mode it judges in; null when the policy leaves it off. */
    @Nullable Mode mode(PlacementPolicy policy);

    /**
     * Judges {@code pod} (its {@link PodObject#podNode() JSON}) as {@code placed} shows it after the
     * plugins' merges; called only when {@link #mode} is not null.
     */
    @Nullable Violation check(PodObject pod, PlacedPod placed, PlacementPolicy policy);
}
