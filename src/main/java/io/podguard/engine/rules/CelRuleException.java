package io.podguard.engine.rules;

/** A CEL expression that does not compile, with CEL's message. */
public final class CelRuleException extends IllegalArgumentException {

    public CelRuleException(String message) {
        super(message);
    }
}
