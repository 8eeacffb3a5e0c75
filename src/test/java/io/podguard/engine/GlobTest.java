package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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
    void matchesWhenStarsNeedBacktrackingThenAsAShellDoes() {
        assertThat(Glob.compile("a*b*c").matches("aXbYbZc")).isTrue();
        assertThat(Glob.compile("a*b*c").matches("aXbYbZ")).isFalse();
        assertThat(Glob.compile("*abc").matches("ababc")).isTrue();
        assertThat(Glob.compile("*a?c*").matches("xxabdabcx")).isTrue();
        assertThat(Glob.compile("**").matches("")).isTrue();
        assertThat(Glob.compile("*").matches("anything/at:all")).isTrue();
        assertThat(Glob.compile("a*").matches("")).isFalse();
        assertThat(Glob.compile("team-*").matches("team-")).isTrue();
    }

    @Test
    void matchesWhenQuestionMarkOrSetThenOneCharacter() {
        assertThat(Glob.compile("team-?").matches("team-a")).isTrue();
        assertThat(Glob.compile("team-?").matches("team-ab")).isFalse();
        assertThat(Glob.compile("team-[a-c]").matches("team-b")).isTrue();
        assertThat(Glob.compile("team-[!a-c]").matches("team-b")).isFalse();
        assertThat(Glob.compile("team-[!a-c]").matches("team-d")).isTrue();
        assertThat(Glob.compile("v[0-9a-]").matches("v-")).isTrue();
        assertThat(Glob.compile("v[-x]").matches("v-")).isTrue();
        assertThat(Glob.compile("v[]]").matches("v]")).isTrue();
    }

    @Test
    void matchesWhenRegexCharactersThenLiteral() {
        assertThat(Glob.compile("a.b+c").matches("a.b+c")).isTrue();
        assertThat(Glob.compile("a.b+c").matches("axb+c")).isFalse();
        assertThat(Glob.compile("(a|b)\\Q").matches("(a|b)\\Q")).isTrue();
    }

    @Test
    void compileWhenMalformedThenReason() {
        assertThatThrownBy(() -> Glob.compile("")).hasMessage("empty pattern");
        assertThatThrownBy(() -> Glob.compile("a[b")).hasMessage("unclosed [ at position 2");
        assertThatThrownBy(() -> Glob.compile("a]")).hasMessage("unopened ] at position 2");
        assertThatThrownBy(() -> Glob.compile("[z-a]")).hasMessage("bad character range");
        assertThatThrownBy(() -> Glob.compile("[!]")).hasMessage("empty [] at position 1");
    }

    /**
     * A pod author chooses the image: a regex {@code .*} over a few hundred KB backtracks for
     * seconds. The work is counted, not timed: the characters the matcher reads stay within
     * (pattern length + 1) × (value length + 1), whatever the value.
     */
    @Test
    void matchesWhenHostileValueThenWorkBoundedByPatternTimesValue() {
        String pattern = "*/istio/proxyv2:*x*y*z";
        StringBuilder value = new StringBuilder("attacker.example");
        while (value.length() < Glob.MAX_VALUE_LENGTH - 100) {
            value.append("/istio/proxyv2:/istio/proxyv");
        }
        Counting counting = new Counting(value);

        assertThat(Glob.compile(pattern).matches(counting)).isFalse();
        assertThat(counting.reads).isLessThanOrEqualTo((long) (pattern.length() + 1) * (value.length() + 1));
    }

    @Test
    void matchesWhenValueLongerThanTheCapThenNothingMatchesAndNothingIsRead() {
        Counting huge = new Counting("a".repeat(Glob.MAX_VALUE_LENGTH + 1));

        assertThat(Glob.compile("*").matches(huge)).isFalse();
        assertThat(Glob.compile("a*").matches(huge)).isFalse();
        assertThat(huge.reads).isZero();
        assertThat(Glob.compile("*").matches("a".repeat(Glob.MAX_VALUE_LENGTH))).isTrue();
    }

    @Test
    void anyWhenOneMatchesThenTrue() {
        assertThat(Glob.any(List.of(Glob.compile("a*"), Glob.compile("b*")), "bob")).isTrue();
        assertThat(Glob.any(List.of(Glob.compile("a*")), "bob")).isFalse();
        assertThat(Glob.compile("a*")).isEqualTo(Glob.compile("a*")).hasSameHashCodeAs(Glob.compile("a*"));
    }

    /** A value that counts how many characters the matcher reads. */
    private static final class Counting implements CharSequence {
        private final CharSequence value;
        long reads;

        Counting(CharSequence value) {
            this.value = value;
        }

        @Override
        public int length() {
            return value.length();
        }

        @Override
        public char charAt(int index) {
            reads++;
            return value.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }
}
