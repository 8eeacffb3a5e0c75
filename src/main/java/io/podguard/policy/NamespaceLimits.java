package io.podguard.policy;

import io.podguard.engine.resources.NamespaceResources;

/**
 * Where a namespace's LimitRanges and ResourceQuotas come from: they are not in the
 * AdmissionReview. The server keeps informer caches of both; offline commands know none.
 */
@FunctionalInterface
public interface NamespaceLimits {

    /** Nothing is known: the resource defaults follow the policy alone. */
    NamespaceLimits NONE = namespace -> NamespaceResources.NONE;

    /** What is known of {@code namespace}'s LimitRanges and ResourceQuotas ({@link NamespaceResources#NONE} when nothing). */
    NamespaceResources of(String namespace);
}
