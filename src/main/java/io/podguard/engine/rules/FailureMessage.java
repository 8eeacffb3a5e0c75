package io.podguard.engine.rules;

import org.jspecify.annotations.Nullable;

/**
 * The message of a failed validation, chosen as the apiserver's validator chooses it: the
 * message expression's string, trimmed, unless it failed, is not a string, is empty, is longer
 * than {@value KubernetesCel#MAX_MESSAGE_BYTES} bytes or holds a line break; else
 * {@code message}, trimmed; else {@code failed expression: EXPRESSION}.
 */
final class FailureMessage {

    private FailureMessage() {
    }

    static String of(ExpressionBatch.@Nullable Result messageExpression, @Nullable String message, String expression) {
        String text = "";
        if (messageExpression != null && !messageExpression.failed() && messageExpression.value() instanceof String s) {
            text = GoStrings.trimSpace(s);
            if (GoStrings.byteLength(text) > KubernetesCel.MAX_MESSAGE_BYTES || text.indexOf('\n') >= 0) {
                text = "";
            }
        }
        if (text.isEmpty() && message != null && !message.isEmpty()) {
            text = GoStrings.trimSpace(message);
        }
        if (text.isEmpty()) {
            text = "failed expression: " + GoStrings.trimSpace(expression);
        }
        return text;
    }
}
