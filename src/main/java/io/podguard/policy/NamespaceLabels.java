package io.podguard.policy;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where namespace labels (and annotations) come from: they are not in the AdmissionReview. The
 * server keeps an informer cache of Namespaces; offline commands know none.
 */
@FunctionalInterface
public interface NamespaceLabels {

    /** No namespace is known: label selectors match nothing, name globs still match. */
    NamespaceLabels NONE = namespace -> null;

    /** The labels of {@code namespace}, or null when it is not known. */
    @Nullable Map<String, String> labels(String namespace);

    /** The annotations of {@code namespace}, or null when it is not known (or annotations are not kept). */
    default @Nullable Map<String, String> annotations(String namespace) {
        return null;
    }
}
