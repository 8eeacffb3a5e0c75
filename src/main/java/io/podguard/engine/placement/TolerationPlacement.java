package io.podguard.engine.placement;

import io.podguard.engine.Mode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * PodTolerationRestriction for one namespace: the default tolerations merged into its new pods
 * and the whitelist their tolerations must keep to.
 *
 * @param mode enforce: merged and judged; audit, warn: said, not merged
 * @param defaults merged into every new pod (the namespace's annotation, else the policy's)
 * @param whitelist what a pod may tolerate; empty: anything
 * @param whitelistScope {@code namespace} or {@code cluster}: where the whitelist comes from, as the plugin's message names it
 * @param defaultsError why the namespace's default tolerations cannot be read: every new pod is then refused
 * @param whitelistError why the namespace's whitelist cannot be read: every pod with a toleration is then
 *     refused, as the plugin refuses them
 */
public record TolerationPlacement(Mode mode, List<Toleration> defaults, List<Toleration> whitelist, String whitelistScope,
                                  @Nullable String defaultsError, @Nullable String whitelistError) {

    public static final String NAMESPACE = "namespace";
    public static final String CLUSTER = "cluster";

    public TolerationPlacement {
        defaults = List.copyOf(defaults);
        whitelist = List.copyOf(whitelist);
    }

    TolerationPlacement withMode(Mode m) {
        return new TolerationPlacement(m, defaults, whitelist, whitelistScope, defaultsError, whitelistError);
    }
}
