package io.podguard.engine.pss;

import static io.podguard.engine.pss.TestPods.latest;
import static io.podguard.engine.pss.TestPods.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Exact reasons, details and paths of every baseline check, and their version boundaries. */
class BaselineChecksTest {

    @Nested
    class Privileged {
        @Test
        void privilegedWhenInitAppAndEphemeralContainersThenAllNamedInOrder() {
            CheckResult r = latest(PrivilegedCheck.CHECK, """
                    spec:
                      initContainers: [{name: init, securityContext: {privileged: true}}]
                      containers: [{name: a, securityContext: {privileged: false}}, {name: b, securityContext: {privileged: true}}]
                      ephemeralContainers: [{name: debug, securityContext: {privileged: true}}]
                    """);
            assertThat(r.allowed()).isFalse();
            assertThat(r.reason()).isEqualTo("privileged");
            assertThat(r.detail()).isEqualTo("containers \"init\", \"b\", \"debug\" must not set securityContext.privileged=true");
            assertThat(r.paths()).containsExactly("spec.initContainers[0].securityContext.privileged",
                    "spec.containers[1].securityContext.privileged", "spec.ephemeralContainers[0].securityContext.privileged");
        }

        @Test
        void privilegedWhenOneContainerThenSingular() {
            CheckResult r = latest(PrivilegedCheck.CHECK, "spec: {containers: [{name: a, securityContext: {privileged: true}}]}");
            assertThat(r.detail()).isEqualTo("container \"a\" must not set securityContext.privileged=true");
        }
    }

    @Nested
    class HostNamespaces {
        @Test
        void hostNamespacesWhenAllSetThenInUpstreamsFixedOrder() {
            CheckResult r = latest(HostNamespacesCheck.CHECK, "spec: {hostPID: true, hostNetwork: true, hostIPC: true, containers: [{name: a}]}");
            assertThat(r.reason()).isEqualTo("host namespaces");
            assertThat(r.detail()).isEqualTo("hostNetwork=true, hostPID=true, hostIPC=true");
            assertThat(r.paths()).containsExactly("spec.hostNetwork", "spec.hostPID", "spec.hostIPC");
        }
    }

    @Nested
    class HostPathVolumes {
        @Test
        void hostPathVolumesWhenTwoThenPlural() {
            CheckResult r = latest(HostPathVolumesCheck.CHECK, """
                    spec:
                      containers: [{name: a}]
                      volumes: [{name: x, hostPath: {path: /x}}, {name: ok, emptyDir: {}}, {name: y, hostPath: {path: /y}}]
                    """);
            assertThat(r.reason()).isEqualTo("hostPath volumes");
            assertThat(r.detail()).isEqualTo("volumes \"x\", \"y\"");
            assertThat(r.paths()).containsExactly("spec.volumes[0].hostPath", "spec.volumes[2].hostPath");
        }
    }

    @Nested
    class HostPorts {
        @Test
        void hostPortsWhenSeveralThenPortsSortedAsStrings() {
            CheckResult r = latest(HostPortsCheck.CHECK, """
                    spec:
                      containers:
                      - {name: a, ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 81, hostPort: 10000}]}
                      - {name: b, ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 82}]}
                    """);
            assertThat(r.reason()).isEqualTo("hostPort");
            assertThat(r.detail()).isEqualTo("containers \"a\", \"b\" use hostPorts 10000, 8080");
            assertThat(r.paths()).first().isEqualTo("spec.containers[0].ports[0].hostPort");
        }

        @Test
        void hostPortsWhenOneThenSingular() {
            CheckResult r = latest(HostPortsCheck.CHECK, "spec: {containers: [{name: a, ports: [{containerPort: 80, hostPort: 80}]}]}");
            assertThat(r.detail()).isEqualTo("container \"a\" uses hostPort 80");
        }
    }

    @Nested
    class CapabilitiesBaseline {
        @Test
        void capabilitiesWhenNonDefaultAddedThenSortedDistinct() {
            CheckResult r = latest(CapabilitiesBaselineCheck.CHECK, """
                    spec:
                      containers:
                      - {name: a, securityContext: {capabilities: {add: [SYS_ADMIN, CHOWN, NET_RAW]}}}
                      - {name: b, securityContext: {capabilities: {add: [NET_RAW, KILL]}}}
                    """);
            assertThat(r.reason()).isEqualTo("non-default capabilities");
            assertThat(r.detail()).isEqualTo("containers \"a\", \"b\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add");
            assertThat(r.paths()).containsExactly("spec.containers[0].securityContext.capabilities.add[0]",
                    "spec.containers[0].securityContext.capabilities.add[2]", "spec.containers[1].securityContext.capabilities.add[0]");
        }

        @Test
        void capabilitiesWhenDefaultSetThenAllowed() {
            assertThat(latest(CapabilitiesBaselineCheck.CHECK, """
                    spec: {containers: [{name: a, securityContext: {capabilities: {add: [AUDIT_WRITE, SETUID, SYS_CHROOT], drop: [ALL]}}}]}
                    """).allowed()).isTrue();
        }
    }

    @Nested
    class AppArmor {
        @Test
        void appArmorWhenPodFieldUnconfinedThenPodNamed() {
            CheckResult r = latest(AppArmorProfileCheck.CHECK,
                    "spec: {securityContext: {appArmorProfile: {type: Unconfined}}, containers: [{name: a}]}");
            assertThat(r.reason()).isEqualTo("forbidden AppArmor profile");
            assertThat(r.detail()).isEqualTo("pod must not set AppArmor profile type to \"Unconfined\"");
            assertThat(r.paths()).containsExactly("spec.securityContext.appArmorProfile.type");
        }

        @Test
        void appArmorWhenFieldsAndAnnotationsThenAllSettersAndValues() {
            CheckResult r = run(AppArmorProfileCheck.CHECK, 0, """
                    metadata:
                      annotations:
                        container.apparmor.security.beta.kubernetes.io/f: unknown
                        container.apparmor.security.beta.kubernetes.io/: bogus
                        container.apparmor.security.beta.kubernetes.io/a: ""
                        container.apparmor.security.beta.kubernetes.io/b: runtime/default
                        container.apparmor.security.beta.kubernetes.io/d: localhost/foo
                        other: unconfined
                    spec:
                      containers: [{name: foo, securityContext: {appArmorProfile: {type: Unconfined}}}]
                    """);
            assertThat(r.reason()).isEqualTo("forbidden AppArmor profiles");
            assertThat(r.detail()).isEqualTo("container \"foo\" and annotations must not set AppArmor profile type to "
                    + "\"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/=\"bogus\"\", "
                    + "\"container.apparmor.security.beta.kubernetes.io/f=\"unknown\"\"");
            assertThat(r.paths()).containsExactly("spec.containers[0].securityContext.appArmorProfile.type",
                    "metadata.annotations[container.apparmor.security.beta.kubernetes.io/]",
                    "metadata.annotations[container.apparmor.security.beta.kubernetes.io/f]");
        }

        @Test
        void appArmorWhenRuntimeDefaultAndLocalhostThenAllowed() {
            assertThat(latest(AppArmorProfileCheck.CHECK, """
                    spec:
                      securityContext: {appArmorProfile: {type: RuntimeDefault}}
                      containers: [{name: a, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: p}}}]
                    """).allowed()).isTrue();
        }
    }

    @Nested
    class SeLinuxOptions {
        private static final String ENGINE_T = "spec: {containers: [{name: a, securityContext: {seLinuxOptions: {type: container_engine_t}}}]}";

        @Test
        void seLinuxWhenContainerEngineTypeBeforeV131ThenForbidden() {
            CheckResult r = run(SeLinuxOptionsCheck.CHECK, 30, ENGINE_T);
            assertThat(r.reason()).isEqualTo("seLinuxOptions");
            assertThat(r.detail()).isEqualTo("container \"a\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\"");
            assertThat(r.paths()).containsExactly("spec.containers[0].securityContext.seLinuxOptions.type");
        }

        @Test
        void seLinuxWhenContainerEngineTypeFromV131ThenAllowed() {
            assertThat(run(SeLinuxOptionsCheck.CHECK, 31, ENGINE_T).allowed()).isTrue();
            assertThat(latest(SeLinuxOptionsCheck.CHECK, ENGINE_T).allowed()).isTrue();
        }

        @Test
        void seLinuxWhenPodAndContainersSetUserRoleAndTypesThenEverythingSaid() {
            CheckResult r = latest(SeLinuxOptionsCheck.CHECK, """
                    spec:
                      securityContext: {seLinuxOptions: {type: spc_t, user: u}}
                      containers:
                      - {name: a, securityContext: {seLinuxOptions: {role: r}}}
                      - {name: b, securityContext: {seLinuxOptions: {type: bad_t, level: "s0:c1"}}}
                      - {name: c, securityContext: {seLinuxOptions: {type: container_t, level: "s0:c1"}}}
                    """);
            assertThat(r.detail()).isEqualTo("pod and containers \"a\", \"b\" set forbidden securityContext.seLinuxOptions: "
                    + "types \"bad_t\", \"spc_t\"; user may not be set; role may not be set");
        }

        @Test
        void seLinuxWhenOnlyUserSetThenUserSaid() {
            CheckResult r = latest(SeLinuxOptionsCheck.CHECK, "spec: {securityContext: {seLinuxOptions: {user: u}}, containers: [{name: a}]}");
            assertThat(r.detail()).isEqualTo("pod set forbidden securityContext.seLinuxOptions: user may not be set");
            assertThat(r.paths()).containsExactly("spec.securityContext.seLinuxOptions.user");
        }
    }

    @Nested
    class ProcMount {
        private static final String UNMASKED_USERNS = """
                spec:
                  hostUsers: false
                  containers: [{name: a, securityContext: {procMount: Unmasked}}]
                """;

        @Test
        void procMountWhenUnmaskedThenForbidden() {
            CheckResult r = latest(ProcMountCheck.CHECK, "spec: {containers: [{name: a, securityContext: {procMount: Unmasked}}, {name: b, securityContext: {procMount: Default}}]}");
            assertThat(r.reason()).isEqualTo("procMount");
            assertThat(r.detail()).isEqualTo("container \"a\" must not set securityContext.procMount to \"Unmasked\"");
            assertThat(r.paths()).containsExactly("spec.containers[0].securityContext.procMount");
        }

        @Test
        void procMountWhenUserNamespaceBeforeV135ThenForbidden() {
            assertThat(run(ProcMountCheck.CHECK, 34, UNMASKED_USERNS).allowed()).isFalse();
        }

        @Test
        void procMountWhenUserNamespaceFromV135ThenAllowedAtBaselineOnly() {
            assertThat(run(ProcMountCheck.CHECK, 35, UNMASKED_USERNS).allowed()).isTrue();
            CheckResult restricted = run(ProcMountRestrictedCheck.CHECK, 35, UNMASKED_USERNS);
            assertThat(restricted.reason()).isEqualTo("procMount");
            assertThat(restricted.detail()).isEqualTo("container \"a\" must not set securityContext.procMount to \"Unmasked\"");
        }

        @Test
        void procMountRestrictedWhenBeforeV135ThenNotInForce() {
            assertThat(ProcMountRestrictedCheck.CHECK.at(io.podguard.engine.PssVersion.of(34))).isNull();
        }
    }

    @Nested
    class SeccompBaseline {
        @Test
        void seccompWhenAnnotationsBeforeV119ThenForbiddenAnnotationsSorted() {
            CheckResult r = run(SeccompProfileBaselineCheck.CHECK, 18, """
                    metadata:
                      annotations:
                        seccomp.security.alpha.kubernetes.io/pod: unconfined
                        container.seccomp.security.alpha.kubernetes.io/a: unconfined
                        container.seccomp.security.alpha.kubernetes.io/b: docker/default
                        container.seccomp.security.alpha.kubernetes.io/zzz: unconfined
                    spec: {containers: [{name: a}, {name: b}]}
                    """);
            assertThat(r.reason()).isEqualTo("seccompProfile");
            assertThat(r.detail()).isEqualTo("forbidden annotations container.seccomp.security.alpha.kubernetes.io/a=\"unconfined\", "
                    + "seccomp.security.alpha.kubernetes.io/pod=\"unconfined\"");
        }

        @Test
        void seccompWhenFieldsFromV119ThenAnnotationsIgnoredAndFieldsJudged() {
            String yaml = """
                    metadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}}
                    spec:
                      securityContext: {seccompProfile: {type: Unconfined}}
                      containers: [{name: a, securityContext: {seccompProfile: {type: Unconfined}}}, {name: b}]
                    """;
            CheckResult r = run(SeccompProfileBaselineCheck.CHECK, 19, yaml);
            assertThat(r.detail()).isEqualTo("pod and container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\"");
            assertThat(r.paths()).containsExactly("spec.securityContext.seccompProfile.type", "spec.containers[0].securityContext.seccompProfile.type");
            assertThat(run(SeccompProfileBaselineCheck.CHECK, 18, yaml).detail())
                    .isEqualTo("forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\"");
        }
    }

    @Nested
    class Sysctls {
        private static String pod(String... names) {
            StringBuilder sb = new StringBuilder("spec: {containers: [{name: a}], securityContext: {sysctls: [");
            for (int i = 0; i < names.length; i++) {
                sb.append(i == 0 ? "" : ", ").append("{name: ").append(names[i]).append(", value: '1'}");
            }
            return sb.append("]}}").toString();
        }

        @Test
        void sysctlsWhenUnsafeThenListedInOrder() {
            CheckResult r = latest(SysctlsCheck.CHECK, pod("kernel.msgmax", "net.ipv4.tcp_syncookies", "a.b"));
            assertThat(r.reason()).isEqualTo("forbidden sysctls");
            assertThat(r.detail()).isEqualTo("kernel.msgmax, a.b");
            assertThat(r.paths()).containsExactly("spec.securityContext.sysctls[0].name", "spec.securityContext.sysctls[2].name");
        }

        @Test
        void sysctlsWhenAddedAtV127ThenAllowedFromV127() {
            assertThat(run(SysctlsCheck.CHECK, 26, pod("net.ipv4.ip_local_reserved_ports")).detail()).isEqualTo("net.ipv4.ip_local_reserved_ports");
            assertThat(run(SysctlsCheck.CHECK, 27, pod("net.ipv4.ip_local_reserved_ports")).allowed()).isTrue();
        }

        @Test
        void sysctlsWhenAddedAtV129ThenAllowedFromV129() {
            String p = pod("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
            assertThat(run(SysctlsCheck.CHECK, 28, p).detail()).isEqualTo(
                    "net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes");
            assertThat(run(SysctlsCheck.CHECK, 29, p).allowed()).isTrue();
        }

        @Test
        void sysctlsWhenAddedAtV132ThenAllowedFromV132() {
            String p = pod("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem");
            assertThat(run(SysctlsCheck.CHECK, 31, p).detail()).isEqualTo("net.ipv4.tcp_rmem, net.ipv4.tcp_wmem");
            assertThat(run(SysctlsCheck.CHECK, 32, p).allowed()).isTrue();
        }

        @Test
        void sysctlsWhenAddedAtV137ThenAllowedFromV137AndLatest() {
            String p = pod("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat");
            assertThat(run(SysctlsCheck.CHECK, 36, p).detail()).isEqualTo("net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat");
            assertThat(run(SysctlsCheck.CHECK, 37, p).allowed()).isTrue();
            assertThat(latest(SysctlsCheck.CHECK, p).allowed()).isTrue();
        }
    }

    @Nested
    class WindowsHostProcess {
        @Test
        void hostProcessWhenPodAndContainerThenBothNamed() {
            CheckResult r = latest(WindowsHostProcessCheck.CHECK, """
                    spec:
                      securityContext: {windowsOptions: {hostProcess: true}}
                      containers: [{name: a, securityContext: {windowsOptions: {hostProcess: true}}}, {name: b, securityContext: {windowsOptions: {hostProcess: false}}}]
                    """);
            assertThat(r.reason()).isEqualTo("hostProcess");
            assertThat(r.detail()).isEqualTo("pod and container \"a\" must not set securityContext.windowsOptions.hostProcess=true");
            assertThat(r.paths()).containsExactly("spec.securityContext.windowsOptions.hostProcess",
                    "spec.containers[0].securityContext.windowsOptions.hostProcess");
        }
    }

    @Nested
    class HostProbesAndHostLifecycle {
        private static final String HOSTS = """
                spec:
                  containers:
                  - name: b
                    livenessProbe: {httpGet: {host: evil.example, port: 80}}
                    lifecycle: {preStop: {tcpSocket: {host: 10.0.0.1, port: 80}}}
                  - name: a
                    startupProbe: {tcpSocket: {host: evil.example, port: 80}}
                    readinessProbe: {httpGet: {host: "", port: 80}}
                """;

        @Test
        void hostProbesWhenHostsSetThenContainersAndHostsSorted() {
            CheckResult r = latest(HostProbesAndHostLifecycleCheck.CHECK, HOSTS);
            assertThat(r.reason()).isEqualTo("probe or lifecycle host");
            assertThat(r.detail()).isEqualTo("containers \"a\", \"b\" use probe or lifecycle hosts \"10.0.0.1\", \"evil.example\"");
            assertThat(r.paths()).containsExactly("spec.containers[0].livenessProbe.httpGet.host",
                    "spec.containers[0].lifecycle.preStop.tcpSocket.host", "spec.containers[1].startupProbe.tcpSocket.host");
        }

        @Test
        void hostProbesWhenBeforeV134ThenNotInForce() {
            assertThat(HostProbesAndHostLifecycleCheck.CHECK.at(io.podguard.engine.PssVersion.of(33))).isNull();
            assertThat(run(HostProbesAndHostLifecycleCheck.CHECK, 34, "spec: {containers: [{name: a, livenessProbe: {httpGet: {host: h, port: 1}}}]}").detail())
                    .isEqualTo("container \"a\" uses probe or lifecycle host \"h\"");
        }
    }
}
