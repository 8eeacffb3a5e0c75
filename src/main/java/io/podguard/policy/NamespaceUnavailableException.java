package io.podguard.policy;

/**
 * The namespace of a request could change its decision (its labels choose the levels, an
 * override or the mode; its annotations the placement; a rule reads it) and could not be read.
 * Pod Security Admission and PodNodeSelector refuse such a request with an internal error rather
 * than judge it by the policy's own values, which could let through what the namespace forbids.
 */
public final class NamespaceUnavailableException extends RuntimeException {

    private final String namespace;
    private final String reason;

    public NamespaceUnavailableException(String namespace, String reason) {
        super("failed to lookup namespace " + io.podguard.engine.Text.goQuote(namespace) + ": " + reason, null, false, false);
        this.namespace = namespace;
        this.reason = reason;
    }

    public String namespace() {
        return namespace;
    }

    /** Why it could not be read, one line. */
    public String reason() {
        return reason;
    }
}
