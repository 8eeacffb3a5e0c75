package io.podguard.engine.psp;

import static io.podguard.engine.psp.PspFixtures.provider;
import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Level;
import org.junit.jupiter.api.Test;

/** The closest Pod Security Standards level each kind of PodSecurityPolicy implies. */
class PssLevelsTest {

    private static final String RESTRICTED = """
            metadata:
              annotations:
                seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,localhost/*'
                apparmor.security.beta.kubernetes.io/allowedProfileNames: runtime/default
            spec:
              allowPrivilegeEscalation: false
              requiredDropCapabilities: [ALL]
              allowedCapabilities: [NET_BIND_SERVICE]
              volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim, csi, ephemeral]
              runAsUser: {rule: MustRunAsNonRoot}
              seLinux: {rule: MustRunAs, seLinuxOptions: {type: container_t, level: 's0:c1,c2'}}
            """;

    @Test
    void restrictedPolicyThenRestrictedWithNoGaps() {
        PssLevels.Result r = PssLevels.of(provider(RESTRICTED));
        assertThat(r.level()).isEqualTo(Level.RESTRICTED);
        assertThat(r.notBaseline()).isEmpty();
        assertThat(r.notRestricted()).isEmpty();
        assertThat(r.stricter()).isEmpty();
    }

    /** The newest PSS sysctl list: v1.32 and v1.37 added these; allowing them keeps a policy restricted. */
    @Test
    void sysctlsSafeInNewestPssThenStillRestricted() {
        PssLevels.Result r = PssLevels.of(provider(RESTRICTED.replace("  allowPrivilegeEscalation: false",
                "  allowPrivilegeEscalation: false\n  allowedUnsafeSysctls: [net.ipv4.tcp_rmem, net.ipv4.tcp_notsent_lowat]")));
        assertThat(r.level()).isEqualTo(Level.RESTRICTED);

        PssLevels.Result unsafe = PssLevels.of(provider(RESTRICTED.replace("  allowPrivilegeEscalation: false",
                "  allowPrivilegeEscalation: false\n  allowedUnsafeSysctls: [kernel.msgmax]")));
        assertThat(unsafe.notBaseline()).containsExactly("allowedUnsafeSysctls allows kernel.msgmax");
    }

    @Test
    void runAsAnyAndPrivilegeEscalationThenBaselineWithTheGapsNamed() {
        PssLevels.Result r = PssLevels.of(provider(RESTRICTED
                .replace("rule: MustRunAsNonRoot", "rule: RunAsAny")
                .replace("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true")
                .replace("allowedCapabilities: [NET_BIND_SERVICE]", "allowedCapabilities: [NET_BIND_SERVICE, CHOWN]")
                .replace(", csi, ephemeral", ", nfs")));
        assertThat(r.level()).isEqualTo(Level.BASELINE);
        assertThat(r.notRestricted()).containsExactly(
                "volumes allows nfs",
                "allowPrivilegeEscalation is not false",
                "runAsUser lets containers run as root",
                "capabilities other than NET_BIND_SERVICE may be added: CHOWN");
    }

    @Test
    void mustRunAsWithRootInRangeThenNotRestricted() {
        PssLevels.Result r = PssLevels.of(provider(RESTRICTED.replace("rule: MustRunAsNonRoot", "rule: MustRunAs, ranges: [{min: 0, max: 100}]")));
        assertThat(r.notRestricted()).containsExactly("runAsUser lets containers run as root");
        assertThat(PssLevels.of(provider(RESTRICTED.replace("rule: MustRunAsNonRoot", "rule: MustRunAs, ranges: [{min: 1000, max: 2000}]"))).level())
                .isEqualTo(Level.RESTRICTED);
    }

    @Test
    void hostAccessThenPrivileged() {
        PssLevels.Result r = PssLevels.of(provider("""
                spec:
                  privileged: true
                  hostNetwork: true
                  hostPorts: [{min: 80, max: 80}]
                  volumes: [hostPath]
                  allowedProcMountTypes: [Default, Unmasked]
                  allowedUnsafeSysctls: ['net.*']
                """));
        assertThat(r.level()).isEqualTo(Level.PRIVILEGED);
        assertThat(r.notBaseline()).containsExactly(
                "privileged: true allows privileged containers",
                "hostNetwork: true shares a host namespace",
                "hostPorts allows host ports",
                "volumes allows hostPath volumes",
                "allowedProcMountTypes allows Unmasked",
                "allowedUnsafeSysctls allows net.*");
        assertThat(r.stricter()).containsExactly(
                "seLinux: RunAsAny lets pods set any SELinux user, role and type; PSS refuses users, roles and custom types",
                "no AppArmor allowedProfileNames lets pods ask for any profile; PSS refuses unconfined");
    }

    @Test
    void seccompUnconfinedOrAnyThenNotBaseline() {
        assertThat(PssLevels.of(provider("{metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: '*'}}, spec: {volumes: []}}")).notBaseline())
                .containsExactly("seccomp allowedProfileNames allows unconfined");
        assertThat(PssLevels.of(provider("{metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,unconfined'}}, spec: {volumes: []}}")).notBaseline())
                .containsExactly("seccomp allowedProfileNames allows unconfined");
    }
}
