package io.podguard.policy;

import io.podguard.engine.Glob;
import java.util.List;
import java.util.Set;

/**
 * The part of a matching exemption the engine honours: leave {@code images}' containers out of
 * {@code checks}.
 *
 * @param checks the check ids it covers; empty: every check
 * @param images the containers it leaves out, by image glob; empty: the checks are skipped for the whole pod
 * @param source the exemption it comes from
 */
public record CheckExemption(Set<String> checks, List<Glob> images, Exemption source) {

    public CheckExemption {
        checks = Set.copyOf(checks);
        images = List.copyOf(images);
    }

    public boolean covers(String checkId) {
        return checks.isEmpty() || checks.contains(checkId);
    }
}
