package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The message of a failed validation, chosen as the apiserver's validator chooses it. */
class FailureMessageTest {

    private static ExpressionBatch.Result value(Object v) {
        return new ExpressionBatch.Result(v, null);
    }

    @Test
    void ofWhenMessageExpressionUsableThenItTrimmed() {
        assertThat(FailureMessage.of(value(" \u00a0spaced\t"), "m", "x")).isEqualTo("spaced");
    }

    @Test
    void ofWhenMessageExpressionUnusableThenMessageElseTheExpression() {
        assertThat(FailureMessage.of(new ExpressionBatch.Result(null, "expression 'x' resulted in error: boom"), " m ", "x")).isEqualTo("m");
        assertThat(FailureMessage.of(value("   "), null, "  a == b ")).isEqualTo("failed expression: a == b");
        assertThat(FailureMessage.of(value("two\nlines"), "m", "x")).isEqualTo("m");
        // the limit is 5,120 bytes: 2,600 two-byte characters are over it, 5,120 one-byte ones are not
        assertThat(FailureMessage.of(value("é".repeat(2600)), "m", "x")).isEqualTo("m");
        assertThat(FailureMessage.of(value("e".repeat(5120)), "m", "x")).hasSize(5120);
        assertThat(FailureMessage.of(null, "", "x")).isEqualTo("failed expression: x");
    }
}
