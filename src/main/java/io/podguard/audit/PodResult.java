package io.podguard.audit;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.Violation;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One existing pod as the audit judged it.
 *
 * @param owner its controller, {@code ReplicaSet/web-5d8f7}, or null for a bare pod
 * @param level the level it was judged at, or null when no mode of the policy applies to it
 * @param violations empty when enforcement would admit it
 */
public record PodResult(String namespace, String name, @Nullable String uid, @Nullable String owner,
                        @Nullable LevelVersion level, List<Violation> violations) {

    public PodResult {
        violations = List.copyOf(violations);
    }

    public boolean wouldBeDenied() {
        return !violations.isEmpty();
    }
}
