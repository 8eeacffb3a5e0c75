package io.podguard.engine.pss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PssVersion;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckRegistryTest {

    private static final PodCheck ALLOW = (meta, spec) -> CheckResult.ALLOWED;

    @Test
    void registryWhenStandardThenValidWithPsaIds() {
        CheckRegistry registry = PodSecurityChecks.registry();

        assertThat(registry.checks()).extracting(Check::id).containsExactlyInAnyOrder(
                "privileged", "hostNamespaces", "hostPathVolumes", "hostPorts", "capabilities_baseline", "appArmorProfile",
                "seLinuxOptions", "procMount", "seccompProfile_baseline", "sysctls", "windowsHostProcess",
                "hostProbesAndHostLifecycle", "restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser",
                "seccompProfile_restricted", "capabilities_restricted", "procMount_restricted");
        Set<String> ids = new HashSet<>();
        for (Check check : registry.checks()) {
            assertThat(ids.add(check.id())).as("unique id %s", check.id()).isTrue();
            PssVersion previous = null;
            for (CheckVersion v : check.versions()) {
                if (previous != null) {
                    assertThat(v.minimumVersion()).isGreaterThan(previous);
                }
                previous = v.minimumVersion();
                if (!v.overrides().isEmpty()) {
                    assertThat(check.level()).isEqualTo(Level.RESTRICTED);
                }
            }
        }
    }

    @Test
    void registryWhenOverridesThenBaselineChecksReplacedAtRestrictedOnly() {
        CheckRegistry registry = PodSecurityChecks.registry();

        assertThat(ids(registry.plan(LevelVersion.parse("restricted", "v1.35"))))
                .doesNotContain("hostPathVolumes", "seccompProfile_baseline", "capabilities_baseline", "procMount")
                .contains("restrictedVolumes", "seccompProfile_restricted", "capabilities_restricted", "procMount_restricted");
        assertThat(ids(registry.plan(LevelVersion.parse("restricted", "v1.34")))).contains("procMount").doesNotContain("procMount_restricted");
        assertThat(ids(registry.plan(LevelVersion.parse("baseline", "latest")))).containsExactly(
                "appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes", "hostPorts",
                "hostProbesAndHostLifecycle", "privileged", "procMount", "seLinuxOptions", "seccompProfile_baseline",
                "sysctls", "windowsHostProcess");
    }

    @Test
    void registryWhenDuplicateIdThenRefused() {
        Check a = new Check("a", Level.BASELINE, List.of(new CheckVersion(PssVersion.of(0), ALLOW)));
        assertThatThrownBy(() -> new CheckRegistry(List.of(a, a))).hasMessage("duplicate check id a");
    }

    @Test
    void registryWhenVersionsNotIncreasingThenRefused() {
        Check a = new Check("a", Level.BASELINE, List.of(
                new CheckVersion(PssVersion.of(5), ALLOW), new CheckVersion(PssVersion.of(5), ALLOW)));
        Check b = new Check("b", Level.BASELINE, List.of(
                new CheckVersion(PssVersion.of(5), ALLOW), new CheckVersion(PssVersion.of(3), ALLOW)));
        assertThatThrownBy(() -> new CheckRegistry(List.of(a))).hasMessage("check a: versions must strictly increase");
        assertThatThrownBy(() -> new CheckRegistry(List.of(b))).hasMessage("check b: versions must strictly increase");
    }

    @Test
    void registryWhenBaselineOverridesThenRefused() {
        Check base = new Check("base", Level.BASELINE, List.of(new CheckVersion(PssVersion.of(0), ALLOW)));
        Check other = new Check("other", Level.BASELINE, List.of(new CheckVersion(PssVersion.of(0), ALLOW, List.of("base"))));
        assertThatThrownBy(() -> new CheckRegistry(List.of(base, other))).hasMessage("check other: only restricted checks may override");
    }

    @Test
    void registryWhenRestrictedOverridesRestrictedThenRefused() {
        Check r1 = new Check("r1", Level.RESTRICTED, List.of(new CheckVersion(PssVersion.of(0), ALLOW)));
        Check r2 = new Check("r2", Level.RESTRICTED, List.of(new CheckVersion(PssVersion.of(0), ALLOW, List.of("r1"))));
        assertThatThrownBy(() -> new CheckRegistry(List.of(r1, r2))).hasMessage("check r2 overrides r1, which is not a baseline check");
    }

    @Test
    void registryWhenNoVersionsOrLatestThenRefused() {
        assertThatThrownBy(() -> new CheckRegistry(List.of(new Check("e", Level.BASELINE, List.of())))).hasMessage("check e has no versions");
        assertThatThrownBy(() -> new CheckRegistry(List.of(new Check("l", Level.BASELINE,
                List.of(new CheckVersion(PssVersion.LATEST, ALLOW)))))).hasMessage("check l: a minimum version must be numbered");
    }

    private static List<String> ids(List<CheckRegistry.Entry> plan) {
        return plan.stream().map(e -> e.check().id()).toList();
    }
}
