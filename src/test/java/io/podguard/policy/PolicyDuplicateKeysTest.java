package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A key given twice in a policy refuses the policy, naming the key's path: the last one winning could silently relax it. */
class PolicyDuplicateKeysTest {

    @Test
    void parseWhenLevelGivenTwiceThenRefusedWithItsPath() {
        assertThatThrownBy(() -> PolicyLoader.parse("""
                mode: enforce
                podSecurity:
                  level: restricted
                  version: latest
                  level: privileged
                """))
                .isInstanceOf(PolicyException.class)
                .hasMessage("podSecurity.level: duplicate key (line 5, column 8): a key may be given once; "
                        + "the policy is refused rather than the last one silently winning");
    }

    @Test
    void parseWhenDuplicateInsideAListThenItsIndexInThePath() {
        assertThatThrownBy(() -> PolicyLoader.parse("""
                exemptions:
                  - reason: a
                    namespaces: [x]
                  - reason: b
                    namespaces: [y]
                    namespaces: [z]
                """))
                .hasMessageStartingWith("exemptions[1].namespaces: duplicate key (line 6, ");
    }

    @Test
    void parseWhenTopLevelKeyTwiceThenRefused() {
        assertThatThrownBy(() -> PolicyLoader.parse("mode: warn\nmode: enforce\n"))
                .hasMessageStartingWith("mode: duplicate key (line 2, ");
    }
}
