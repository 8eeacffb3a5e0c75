package io.podguard.engine.pss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void joinQuoteWhenItemsThenQuotedWithoutEscaping() {
        assertThat(Messages.joinQuote(List.of("a", "b\"c"))).isEqualTo("\"a\", \"b\"c\"");
        assertThat(Messages.joinQuote(List.of())).isEmpty();
    }

    @Test
    void containersWhenOneOrManyThenPluralized() {
        assertThat(Messages.containers(List.of("a"))).isEqualTo("container \"a\"");
        assertThat(Messages.containers(List.of("a", "b"))).isEqualTo("containers \"a\", \"b\"");
    }

    @Test
    void goQuoteWhenSpecialCharactersThenEscapedAsGo() {
        assertThat(Messages.goQuote("plain")).isEqualTo("\"plain\"");
        assertThat(Messages.goQuote("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\x01\"");
        assertThat(Messages.goQuote("héllo ☃")).isEqualTo("\"héllo ☃\"");
        assertThat(Messages.goQuote("\u200b")).isEqualTo("\"\\u200b\"");
    }
}
