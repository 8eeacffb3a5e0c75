package io.podguard.policy;

import io.podguard.engine.defaults.DefaultsConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultsConfigTest {

    @Test
    void parseWhenDefaultsAbsentThenIssueValues() {
        DefaultsConfig d = PolicyLoader.parse("mode: enforce\n").defaults();

        assertThat(d.isEnabled()).isTrue();
        assertThat(d.mode()).isEqualTo(DefaultsConfig.DefaultsMode.APPLY);
        assertThat(d.resources().isEnabled()).isTrue();
        assertThat(d.resources().requests()).containsExactly(Map.entry("cpu", "100m"), Map.entry("memory", "128Mi"));
        assertThat(d.resources().limits()).containsExactly(Map.entry("memory", "256Mi"));
        assertThat(d.readinessProbe()).isEqualTo(DefaultsConfig.Probe.ON);
        assertThat(d.livenessProbe()).isEqualTo(DefaultsConfig.Probe.OFF);
        assertThat(d.preStop()).isEqualTo(new DefaultsConfig.PreStop(true, 5, true));
        assertThat(d.securityContext()).isEqualTo(new DefaultsConfig.SecurityContext(true, true, true, false, false));
        assertThat(d).isEqualTo(DefaultsConfig.DEFAULT);
    }

    @Test
    void parseWhenEmbeddedDefaultThenSameAsAbsent() {
        assertThat(PolicyLoader.embeddedDefault().defaults()).isEqualTo(DefaultsConfig.DEFAULT);
    }

    @Test
    void parseWhenEveryKnobGivenThenEachTaken() {
        DefaultsConfig d = PolicyLoader.parse("""
                defaults:
                  enabled: true
                  mode: audit
                  resources:
                    enabled: true
                    requests: {memory: 64Mi, cpu: 1, ephemeral-storage: 1Gi}
                    limits: {cpu: 2, memory: 64Mi}
                  readinessProbe:
                    enabled: false
                  livenessProbe:
                    initialDelaySeconds: 0
                    periodSeconds: 20
                    timeoutSeconds: 2
                    failureThreshold: 5
                  preStop:
                    enabled: true
                    sleepSeconds: 15
                    extendGracePeriod: false
                  securityContext:
                    enabled: true
                    disallowPrivilegeEscalation: false
                    seccompRuntimeDefault: false
                    runAsNonRoot: true
                    dropAllCapabilities: true
                """).defaults();

        assertThat(d.mode()).isEqualTo(DefaultsConfig.DefaultsMode.AUDIT);
        assertThat(d.resources().requests())
                .containsExactly(Map.entry("cpu", "1"), Map.entry("ephemeral-storage", "1Gi"), Map.entry("memory", "64Mi"));
        assertThat(d.resources().limits()).containsExactly(Map.entry("cpu", "2"), Map.entry("memory", "64Mi"));
        assertThat(d.readinessProbe().isEnabled()).isFalse();
        // Settings for the liveness probe alone do not turn it on: enabled stays the default, false.
        assertThat(d.livenessProbe()).isEqualTo(new DefaultsConfig.Probe(false, 0, 20, 2, 5));
        assertThat(d.preStop()).isEqualTo(new DefaultsConfig.PreStop(true, 15, false));
        assertThat(d.securityContext()).isEqualTo(new DefaultsConfig.SecurityContext(true, false, false, true, true));
    }

    @Test
    void parseWhenResourceMapEmptyThenNothingOfThatKind() {
        DefaultsConfig d = PolicyLoader.parse("defaults:\n  resources:\n    limits: {}\n").defaults();

        assertThat(d.resources().limits()).isEmpty();
        assertThat(d.resources().requests()).containsOnlyKeys("cpu", "memory");
    }

    @Test
    void parseWhenUnknownKeyThenError() {
        assertThatThrownBy(() -> PolicyLoader.parse("defaults:\n  preStop:\n    sleep: 5\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("defaults.preStop.sleep: unknown key (did you mean sleepSeconds?)");
    }

    @Test
    void parseWhenRequestAboveLimitThenError() {
        assertThatThrownBy(() -> PolicyLoader.parse("defaults:\n  resources:\n    limits: {memory: 64Mi}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("defaults.resources: requests.memory 128Mi is above limits.memory 64Mi");
    }

    @Test
    void parseWhenQuantityInvalidThenError() {
        assertThatThrownBy(() -> PolicyLoader.parse("defaults:\n  resources:\n    requests: {cpu: lots}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("defaults.resources: requests.cpu \"lots\" is not a Kubernetes quantity (e.g. 100m, 128Mi)");
    }

    @Test
    void parseWhenSleepZeroThenError() {
        assertThatThrownBy(() -> PolicyLoader.parse("defaults:\n  preStop:\n    sleepSeconds: 0\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("defaults.preStop: sleepSeconds 0 is below 1");
    }

    @Test
    void parseWhenModeUnknownThenError() {
        assertThatThrownBy(() -> PolicyLoader.parse("defaults:\n  mode: dry-run\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("defaults.mode: \"dry-run\" is not one of apply, audit");
    }
}
