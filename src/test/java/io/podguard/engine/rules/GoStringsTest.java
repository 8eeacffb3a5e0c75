package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Go's white space and byte lengths, where Java's differ. */
class GoStringsTest {

    @Test
    void trimSpaceWhenGoAndJavaDisagreeThenGos() {
        // Go trims NBSP and NEL, which String.strip() keeps; it keeps U+001F, which strip() removes
        assertThat(GoStrings.trimSpace("\u00a0\u0085 a b\t\n\u3000")).isEqualTo("a b");
        assertThat(GoStrings.trimSpace("\u001fa\u001f")).isEqualTo("\u001fa\u001f");
        assertThat(GoStrings.trimSpace(" \t ")).isEmpty();
    }

    @Test
    void byteLengthAndTruncateThenUtf8BytesWithoutSplittingACharacter() {
        assertThat(GoStrings.byteLength("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
        assertThat(GoStrings.truncateBytes("aé€😀", 5)).isEqualTo("aé");
        assertThat(GoStrings.truncateBytes("aé€😀", 6)).isEqualTo("aé€");
        assertThat(GoStrings.truncateBytes("abc", 3)).isEqualTo("abc");
    }
}
