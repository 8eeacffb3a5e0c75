package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Conversions of strings with Go's strconv, not Java's parsers. */
class GoConversionsTest {

    @Test
    void parseDoubleWhenGoAcceptsThenItsValue() throws Exception {
        assertThat(GoConversions.parseDouble("1_000.5")).isEqualTo(1000.5);
        assertThat(GoConversions.parseDouble("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(GoConversions.parseDouble("0x1p3")).isEqualTo(8.0);
        assertThat(GoConversions.parseDouble(".5e1")).isEqualTo(5.0);
    }

    @Test
    void parseWhenJavaWouldAcceptWhatGoRefusesThenTheApiserversError() {
        assertThatThrownBy(() -> GoConversions.parseDouble("1.5f")).hasMessage("type conversion error from 'string' to 'double'");
        assertThatThrownBy(() -> GoConversions.parseDouble(" 1")).hasMessage("type conversion error from 'string' to 'double'");
        assertThatThrownBy(() -> GoConversions.parseDouble("1e400")).hasMessage("type conversion error from 'string' to 'double'");
        assertThatThrownBy(() -> GoConversions.parseInt("1_000")).hasMessage("type conversion error from 'string' to 'int'");
        assertThatThrownBy(() -> GoConversions.parseUint("+1")).hasMessage("type conversion error from 'string' to 'uint'");
        assertThatThrownBy(() -> GoConversions.parseBool("yes")).hasMessage("type conversion error from 'string' to 'bool'");
    }
}
