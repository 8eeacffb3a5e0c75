package io.podguard.engine.rules;

import java.util.List;

/** A rule that does not compile: every error, each starting with its field ({@code expression: …}). */
public final class RuleCompileException extends IllegalArgumentException {

    private final List<String> errors;

    public RuleCompileException(List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
