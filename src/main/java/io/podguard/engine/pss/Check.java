package io.podguard.engine.pss;

import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A Pod Security Standards check: stable id, level, and its versions in increasing order. */
public record Check(String id, Level level, List<CheckVersion> versions) {

    public Check {
        versions = List.copyOf(versions);
    }

    /** The version of this check in force at {@code version}, or null when it does not apply yet. */
    public @Nullable CheckVersion at(PssVersion version) {
        CheckVersion found = null;
        for (CheckVersion v : versions) {
            if (version.isAtLeast(v.minimumVersion())) {
                found = v;
            }
        }
        return found;
    }
}
