package io.podguard.engine.pss;

import io.podguard.engine.PssVersion;
import java.util.List;

/**
 * A check as it applies from {@code minimumVersion} on, until a later version of it.
 *
 * @param overrides ids of baseline checks this restricted check replaces at this version
 */
public record CheckVersion(PssVersion minimumVersion, PodCheck check, List<String> overrides) {

    public CheckVersion(PssVersion minimumVersion, PodCheck check) {
        this(minimumVersion, check, List.of());
    }
}
