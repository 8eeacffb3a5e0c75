package io.podguard.engine.placement;

import io.podguard.engine.Mode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * PodNodeSelector for one namespace: the selector merged into its pods and the whitelist their
 * selectors must keep to.
 *
 * @param mode enforce: merged and judged; audit, warn: said, not merged
 * @param selector the namespace's node selector (its annotation, else the policy's)
 * @param whitelist the labels a pod's merged selector may hold; empty: any
 * @param error why the namespace's annotation cannot be read; every pod is then refused, as the plugin refuses it
 */
public record NodeSelectorPlacement(Mode mode, Map<String, String> selector, Map<String, String> whitelist, @Nullable String error) {

    public NodeSelectorPlacement {
        selector = NodeSelectors.unmodifiable(selector);
        whitelist = NodeSelectors.unmodifiable(whitelist);
    }

    NodeSelectorPlacement withMode(Mode m) {
        return new NodeSelectorPlacement(m, selector, whitelist, error);
    }
}
