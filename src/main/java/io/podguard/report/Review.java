package io.podguard.report;

import org.jspecify.annotations.Nullable;

/**
 * One AdmissionReview as reports see it: which webhook answered, and the request's facts that
 * metrics, log lines and Events name.
 *
 * @param webhook {@code mutate} or {@code validate}
 * @param group the object's API group ({@code ""} for the core group, {@code apps} …)
 * @param version the object's API version ({@code v1})
 * @param kind the object's kind ({@code Pod}, {@code Deployment} …)
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 */
public record Review(String webhook, String uid, String group, String version, String kind, String operation,
                     @Nullable String namespace, @Nullable String name, @Nullable String username, boolean dryRun) {
}
