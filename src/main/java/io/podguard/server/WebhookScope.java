package io.podguard.server;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.podguard.engine.Json;
import io.podguard.policy.LabelSelectors;
import io.podguard.policy.NamespaceLabels;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The namespaces podguard's webhook configurations send to it (as the chart renders their
 * {@code namespaceSelector}: excluded names, the opt-out label, extra selector terms). Anyone
 * who reaches the HTTPS port can send a review naming any namespace; podguard acts on the
 * cluster (writes Events) only for namespaces a real review could come from. A namespace whose
 * labels are not known when they matter is not selected: no Event rather than a wrong one.
 */
final class WebhookScope implements Predicate<String> {

    private final Set<String> excluded;
    private final @Nullable LabelSelector selector;
    private final String optOutLabel;
    private final NamespaceLabels labels;

    WebhookScope(PodguardProperties.Webhooks webhooks, NamespaceLabels labels) {
        this.excluded = Set.copyOf(webhooks.excludeNamespaces());
        this.selector = webhooks.namespaceSelector().isEmpty() ? null
                : Json.mapper().readValue(webhooks.namespaceSelector(), LabelSelector.class);
        this.optOutLabel = webhooks.optOutLabel();
        this.labels = labels;
    }

    /** Whether podguard needs namespace labels to tell. */
    boolean needsLabels() {
        return selector != null || !optOutLabel.isEmpty();
    }

    @Override
    public boolean test(String namespace) {
        if (excluded.contains(namespace)) {
            return false;
        }
        if (!needsLabels()) {
            return true;
        }
        Map<String, String> known = labels.labels(namespace);
        if (known == null) {
            return false;
        }
        if (!optOutLabel.isEmpty() && "true".equals(known.get(optOutLabel))) {
            return false;
        }
        return selector == null || LabelSelectors.matches(selector, known);
    }
}
