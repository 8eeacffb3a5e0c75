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

    /**
     * Why {@code namespace}, not given by {@link #labels}, should have been known: the server's
     * namespace cache could not read it (not cached, and the apiserver did not give it within its
     * time). Null where an unknown namespace is expected (offline commands, namespaces not
     * watched): then label selectors match nothing. A request whose decision depends on a namespace
     * that could not be read is refused, as Pod Security Admission refuses it.
     */
    default @Nullable String unreadable(String namespace) {
        return null;
    }
}
