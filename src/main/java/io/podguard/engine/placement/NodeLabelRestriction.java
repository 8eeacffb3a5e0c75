package io.podguard.engine.placement;

import io.podguard.engine.Mode;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which node labels pods may select, in {@code nodeSelector} and in required node affinity: for
 * each restricted label key, the values they may select. Keys no entry names are free.
 *
 * @param restricted in order; the first entry whose key pattern matches a label decides
 */
public record NodeLabelRestriction(Mode mode, List<Entry> restricted) {

    /**
     * @param key the label key pattern, as written in the policy
     * @param keys matches the label keys it restricts
     * @param values matches the values pods may select; {@link #anyValue} when every value is allowed
     */
    public record Entry(String key, Predicate<String> keys, List<String> allowed, Predicate<String> values, boolean anyValue) {

        public Entry {
            allowed = List.copyOf(allowed);
        }
    }

    public NodeLabelRestriction {
        restricted = List.copyOf(restricted);
    }

    /** The entry that restricts {@code key}, or null when it is free. */
    @Nullable Entry entryFor(String key) {
        for (Entry e : restricted) {
            if (e.keys().test(key)) {
                return e;
            }
        }
        return null;
    }

    NodeLabelRestriction withMode(Mode m) {
        return new NodeLabelRestriction(m, restricted);
    }
}
