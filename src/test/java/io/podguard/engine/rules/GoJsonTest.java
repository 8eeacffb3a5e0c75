package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** JSON strings as Go's encoding/json writes them. */
class GoJsonTest {

    @Test
    void quoteThenGosEscapes() {
        assertThat(GoJson.quote("<a> & \"b\" \\ \n\t\r\b\f\u0001 \u2028 é 😀"))
                .isEqualTo("\"\\u003ca\\u003e \\u0026 \\\"b\\\" \\\\ \\n\\t\\r\\b\\f\\u0001 \\u2028 é 😀\"");
        assertThat(GoJson.quote("lone \ud800 surrogate")).isEqualTo("\"lone \\ufffd surrogate\"");
    }
}
