package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Go's netip.ParseAddr: what it accepts, and its words for what it refuses. */
class GoNetipTest {

    @Test
    void parseAddrWhenValidThenItsBytesAndZone() throws Exception {
        assertThat(GoNetip.parseAddr("10.0.0.1").bytes()).containsExactly(10, 0, 0, 1);
        assertThat(GoNetip.parseAddr("::ffff:1.2.3.4").is4In6()).isTrue();
        assertThat(GoNetip.parseAddr("fe80::1%eth0").zone()).isEqualTo("eth0");
        assertThat(GoNetip.parseAddr("::").bytes()).hasSize(16);
    }

    @Test
    void parseAddrWhenInvalidThenGosWords() {
        assertThatThrownBy(() -> GoNetip.parseAddr("2001:db8:::68"))
                .hasMessage("ParseAddr(\"2001:db8:::68\"): each colon-separated field must have at least one digit (at \":68\")");
        assertThatThrownBy(() -> GoNetip.parseAddr("010.0.0.1")).hasMessage("ParseAddr(\"010.0.0.1\"): IPv4 field has octet with leading zero");
        assertThatThrownBy(() -> GoNetip.parseAddr("1.2..3")).hasMessage("ParseAddr(\"1.2..3\"): IPv4 field must have at least one digit (at \".3\")");
        assertThatThrownBy(() -> GoNetip.parseAddr("1::2::3")).hasMessage("ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")");
        assertThatThrownBy(() -> GoNetip.parseAddr("%x")).hasMessage("ParseAddr(\"%x\"): missing IPv6 address");
        assertThatThrownBy(() -> GoNetip.parseAddr("example.com")).hasMessage("ParseAddr(\"example.com\"): unexpected character (at \"example.com\")");
    }
}
