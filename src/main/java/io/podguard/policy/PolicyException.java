package io.podguard.policy;

/** A policy that cannot be used, with a message naming the field. */
public class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }
}
