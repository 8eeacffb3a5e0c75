package io.podguard.engine.placement;

import io.podguard.engine.Mode;
import java.util.function.Predicate;

/**
 * ExtendedResourceToleration: a pod requesting an extended resource tolerates the taint of the
 * same name ({@code key: <resource>, operator: Exists, effect: NoSchedule}).
 *
 * @param mode enforce: added; audit, warn: said, not added
 * @param resources which extended resources get their toleration (the plugin: all)
 */
public record ExtendedResourceTolerations(Mode mode, Predicate<String> resources) {

    ExtendedResourceTolerations withMode(Mode m) {
        return new ExtendedResourceTolerations(m, resources);
    }
}
