package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void matchesWhenStarThenAnyRunIncludingSlashesAndColons() {
        Glob g = Glob.compile("*/istio/proxyv2:*");
        assertThat(g.matches("docker.io/istio/proxyv2:1.24.0")).isTrue();
        assertThat(g.matches("gcr.io/mirror/istio/proxyv2:1.24.0")).isTrue();
        assertThat(g.matches("istio/proxyv2:1.24.0")).isFalse();
        assertThat(g.matches("docker.io/istio/pilot:1.24.0")).isFalse();
    }

    @Test
    void matchesWhenQuestionMarkOrSetThenOneCharacter() {
        assertThat(Glob.compile("team-?").matches("team-a")).isTrue();
        assertThat(Glob.compile("team-?").matches("team-ab")).isFalse();
        assertThat(Glob.compile("team-[a-c]").matches("team-b")).isTrue();
        assertThat(Glob.compile("team-[!a-c]").matches("team-b")).isFalse();
        assertThat(Glob.compile("team-[!a-c]").matches("team-d")).isTrue();
    }

    @Test
    void matchesWhenRegexCharactersThenLiteral() {
        assertThat(Glob.compile("a.b+c").matches("a.b+c")).isTrue();
        assertThat(Glob.compile("a.b+c").matches("axb+c")).isFalse();
    }

    @Test
    void compileWhenMalformedThenReason() {
        assertThatThrownBy(() -> Glob.compile("")).hasMessage("empty pattern");
        assertThatThrownBy(() -> Glob.compile("a[b")).hasMessage("unclosed [ at position 2");
        assertThatThrownBy(() -> Glob.compile("a]")).hasMessage("unopened ] at position 2");
        assertThatThrownBy(() -> Glob.compile("[z-a]")).hasMessage("bad character range");
    }

    @Test
    void didYouMeanWhenCloseThenSuggestedElseNothing() {
        assertThat(DidYouMean.closest("podSecurty", java.util.List.of("mode", "podSecurity", "defaults"))).isEqualTo("podSecurity");
        assertThat(DidYouMean.closest("exmeptions", java.util.List.of("exemptions", "namespaces"))).isEqualTo("exemptions");
        assertThat(DidYouMean.closest("colour", java.util.List.of("mode", "podSecurity"))).isNull();
    }
}
