package io.podguard.policy;

import java.util.List;

/** A policy that cannot be used: every error, each naming its field path. */
public class PolicyException extends RuntimeException {

    private final List<String> errors;

    public PolicyException(String message) {
        this(List.of(message));
    }

    public PolicyException(List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    /** One line per error: {@code podSecurity.level: "strict" is not one of privileged, baseline, restricted}. */
    public List<String> errors() {
        return errors;
    }
}
