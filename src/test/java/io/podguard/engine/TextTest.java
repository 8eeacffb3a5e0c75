package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void goQuoteWritesGosEscapes() {
        assertThat(Text.goQuote("")).isEqualTo("\"\"");
        assertThat(Text.goQuote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Text.goQuote("\u0007\b\f\n\r\t\u000b")).isEqualTo("\"\\a\\b\\f\\n\\r\\t\\v\"");
        assertThat(Text.goQuote("\u0001\u001f\u007f")).isEqualTo("\"\\x01\\x1f\\x7f\"");
    }

    @Test
    void goQuoteKeepsWhatGoPrintsAndEscapesTheRest() {
        assertThat(Text.goQuote("héllo ☃ \uD83D\uDE00")).isEqualTo("\"héllo ☃ \uD83D\uDE00\"");
        assertThat(Text.goQuote("\u00a0\u200b\u2028\ue000")).isEqualTo("\"\\u00a0\\u200b\\u2028\\ue000\"");
        assertThat(Text.goQuote("\uDB80\uDC00")).isEqualTo("\"\\U000f0000\"");
    }

    @Test
    void goQuoteWritesALoneSurrogateAsTheReplacementCharacterGoDecodesItTo() {
        assertThat(Text.goQuote("a\uD800b\uDC00")).isEqualTo("\"a\uFFFDb\uFFFD\"");
    }

    @Test
    void cutKeepsShortTextAndNeverSplitsASurrogatePair() {
        assertThat(Text.cut("abc", 3)).isEqualTo("abc");
        assertThat(Text.cut("abcd", 3)).isEqualTo("abc…");
        assertThat(Text.cut("ab\uD83D\uDE00", 3)).isEqualTo("ab…");
        assertThat(Text.cut("a\uD83D\uDE00b", 3)).isEqualTo("a\uD83D\uDE00…");
    }
}
