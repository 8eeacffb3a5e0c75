package io.podguard.engine;

/**
 * One rule broken by one object.
 *
 * @param rule the check or rule id ({@code privileged}, {@code hostNamespaces}, …)
 * @param path the first offending field path, relative to the object ({@code spec.containers[0].securityContext.privileged})
 * @param reason PSA's short reason ({@code privileged})
 * @param detail PSA's detail ({@code container "app" must not set securityContext.privileged=true})
 */
public record Violation(String rule, String path, String reason, String detail) {

    /** PSA's rendering of one violation: {@code reason (detail)}. */
    public String message() {
        return detail == null || detail.isEmpty() ? reason : reason + " (" + detail + ")";
    }
}
