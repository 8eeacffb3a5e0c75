package io.podguard.policy;

import io.podguard.engine.Mode;
import io.podguard.engine.EffectivePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.LevelVersion;
import org.junit.jupiter.api.Test;

/** The policy keys {@code mode}, {@code podSecurity.level} and {@code podSecurity.version}: bad values name their field. */
class PodSecurityPolicyValuesTest {

    @Test
    void parseWhenModeUnknownThenFieldPathError() {
        assertThatThrownBy(() -> PolicyLoader.parse("mode: strict\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("mode: \"strict\" is not one of enforce, audit, warn");
    }

    @Test
    void parseWhenLevelUnknownThenFieldPathError() {
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurity:\n  level: strict\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("podSecurity.level: \"strict\" is not one of privileged, baseline, restricted");
    }

    @Test
    void parseWhenVersionMalformedThenFieldPathError() {
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurity:\n  version: \"1.30\"\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("podSecurity.version: \"1.30\" is not latest or v1.0 … v1.37");
    }

    @Test
    void parseWhenModeLevelUnknownThenFieldPathError() {
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurity:\n  warn: {level: strictest}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("podSecurity.warn.level: \"strictest\" is not one of privileged, baseline, restricted");
        assertThatThrownBy(() -> PolicyLoader.parse("podSecurity:\n  audit: {version: v2.0}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("podSecurity.audit.version: \"v2.0\" is not latest or v1.0 … v1.37");
    }

    @Test
    void parseWhenValidThenLevelVersionAndMode() {
        Policy policy = PolicyLoader.parse("mode: warn\npodSecurity: {level: baseline, version: v1.25}\n");

        assertThat(policy.mode()).isEqualTo(Mode.WARN);
        assertThat(policy.levelVersion()).isEqualTo(LevelVersion.parse("baseline", "v1.25"));
        assertThat(io.podguard.testing.Judging.levels(PolicyCompiler.compile(policy)).warn()).hasToString("baseline:v1.25");
        assertThat(io.podguard.testing.Judging.levels(PolicyCompiler.compile(policy)).enforce()).isNull();
    }

    @Test
    void parseWhenVersionNewerThanKnownThenKeepsItsName() {
        assertThat(PolicyLoader.parse("podSecurity: {version: v1.99}\n").levelVersion()).hasToString("restricted:v1.99");
    }
}
