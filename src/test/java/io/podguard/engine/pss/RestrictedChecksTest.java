package io.podguard.engine.pss;

import static io.podguard.engine.pss.TestPods.latest;
import static io.podguard.engine.pss.TestPods.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.PssVersion;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Exact reasons, details and paths of every restricted check, and their version boundaries. */
class RestrictedChecksTest {

    @Nested
    class RestrictedVolumes {
        @Test
        void volumesWhenRestrictedTypesThenVolumesAndSortedTypes() {
            CheckResult r = latest(RestrictedVolumesCheck.CHECK, """
                    spec:
                      containers: [{name: a}]
                      volumes:
                      - {name: cfg, configMap: {name: c}}
                      - {name: host, hostPath: {path: /}}
                      - {name: nfs, nfs: {server: s, path: /}}
                      - {name: img, image: {reference: "r/i:1"}}
                      - {name: host2, hostPath: {path: /x}}
                    """);
            assertThat(r.reason()).isEqualTo("restricted volume types");
            assertThat(r.detail()).isEqualTo("volumes \"host\", \"nfs\", \"host2\" use restricted volume types \"hostPath\", \"nfs\"");
            assertThat(r.paths()).containsExactly("spec.volumes[1].hostPath", "spec.volumes[2].nfs", "spec.volumes[4].hostPath");
        }

        @Test
        void volumesWhenOnlySourceUnknownToPodguardThenUnknownType() {
            CheckResult r = latest(RestrictedVolumesCheck.CHECK, """
                    spec:
                      containers: [{name: a}]
                      volumes: [{name: future, someFutureSource: {path: /}}]
                    """);
            assertThat(r.detail()).isEqualTo("volume \"future\" uses restricted volume type \"unknown\"");
            assertThat(r.paths()).containsExactly("spec.volumes[0]");
        }

        @Test
        void volumesWhenNoSourceThenAllowedAsTheDefaultedEmptyDir() {
            assertThat(latest(RestrictedVolumesCheck.CHECK, "spec: {containers: [{name: a}], volumes: [{name: scratch}]}").allowed()).isTrue();
        }

        @Test
        void volumesWhenAllowedTypesThenAllowed() {
            assertThat(latest(RestrictedVolumesCheck.CHECK, """
                    spec:
                      containers: [{name: a}]
                      volumes:
                      - {name: a, configMap: {name: c}}
                      - {name: b, csi: {driver: d}}
                      - {name: c, downwardAPI: {}}
                      - {name: d, emptyDir: {}}
                      - {name: e, ephemeral: {volumeClaimTemplate: {spec: {}}}}
                      - {name: f, image: {reference: r}}
                      - {name: g, persistentVolumeClaim: {claimName: c}}
                      - {name: h, projected: {sources: []}}
                      - {name: i, secret: {secretName: s}}
                    """).allowed()).isTrue();
        }
    }

    @Nested
    class AllowPrivilegeEscalation {
        private static final String POD = """
                spec:
                  containers: [{name: a}, {name: b, securityContext: {allowPrivilegeEscalation: true}}, {name: c, securityContext: {allowPrivilegeEscalation: false}}]
                """;

        @Test
        void escalationWhenUnsetOrTrueThenNamed() {
            CheckResult r = latest(AllowPrivilegeEscalationCheck.CHECK, POD);
            assertThat(r.reason()).isEqualTo("allowPrivilegeEscalation != false");
            assertThat(r.detail()).isEqualTo("containers \"a\", \"b\" must set securityContext.allowPrivilegeEscalation=false");
            assertThat(r.paths()).containsExactly("spec.containers[0].securityContext.allowPrivilegeEscalation",
                    "spec.containers[1].securityContext.allowPrivilegeEscalation");
        }

        @Test
        void escalationWhenBeforeV18ThenNotInForce() {
            assertThat(AllowPrivilegeEscalationCheck.CHECK.at(PssVersion.of(7))).isNull();
            assertThat(run(AllowPrivilegeEscalationCheck.CHECK, 8, POD).allowed()).isFalse();
        }

        @Test
        void escalationWhenWindowsPodThenExemptFromV125() {
            String windows = "spec: {os: {name: windows}, containers: [{name: a}]}";
            assertThat(run(AllowPrivilegeEscalationCheck.CHECK, 24, windows).allowed()).isFalse();
            assertThat(run(AllowPrivilegeEscalationCheck.CHECK, 25, windows).allowed()).isTrue();
        }
    }

    @Nested
    class RunAsNonRoot {
        @Test
        void runAsNonRootWhenUnsetThenPodOrContainers() {
            CheckResult r = latest(RunAsNonRootCheck.CHECK, "spec: {containers: [{name: a}, {name: b, securityContext: {runAsNonRoot: true}}], initContainers: [{name: i}]}");
            assertThat(r.reason()).isEqualTo("runAsNonRoot != true");
            assertThat(r.detail()).isEqualTo("pod or containers \"i\", \"a\" must set securityContext.runAsNonRoot=true");
            assertThat(r.paths()).containsExactly("spec.initContainers[0].securityContext.runAsNonRoot",
                    "spec.containers[0].securityContext.runAsNonRoot");
        }

        @Test
        void runAsNonRootWhenExplicitlyFalseThenSettersFirst() {
            CheckResult r = latest(RunAsNonRootCheck.CHECK, """
                    spec:
                      securityContext: {runAsNonRoot: false}
                      containers: [{name: a, securityContext: {runAsNonRoot: false}}, {name: b}]
                    """);
            assertThat(r.detail()).isEqualTo("pod and container \"a\" must not set securityContext.runAsNonRoot=false");
        }

        @Test
        void runAsNonRootWhenPodLevelTrueThenContainersMayOmit() {
            assertThat(latest(RunAsNonRootCheck.CHECK, "spec: {securityContext: {runAsNonRoot: true}, containers: [{name: a}]}").allowed()).isTrue();
        }

        @Test
        void runAsNonRootWhenUserNamespaceThenRelaxedFromV135() {
            String userns = "spec: {hostUsers: false, containers: [{name: a, securityContext: {runAsNonRoot: false}}]}";
            assertThat(run(RunAsNonRootCheck.CHECK, 34, userns).detail()).isEqualTo("container \"a\" must not set securityContext.runAsNonRoot=false");
            assertThat(run(RunAsNonRootCheck.CHECK, 35, userns).allowed()).isTrue();
            assertThat(run(RunAsNonRootCheck.CHECK, 35, userns.replace("false, containers", "true, containers")).allowed()).isFalse();
        }
    }

    @Nested
    class RunAsUser {
        private static final String ROOT = "spec: {securityContext: {runAsUser: 0}, containers: [{name: a, securityContext: {runAsUser: 0}}, {name: b, securityContext: {runAsUser: 1000}}]}";

        @Test
        void runAsUserWhenZeroThenSetters() {
            CheckResult r = latest(RunAsUserCheck.CHECK, ROOT);
            assertThat(r.reason()).isEqualTo("runAsUser=0");
            assertThat(r.detail()).isEqualTo("pod and container \"a\" must not set runAsUser=0");
            assertThat(r.paths()).containsExactly("spec.securityContext.runAsUser", "spec.containers[0].securityContext.runAsUser");
        }

        @Test
        void runAsUserWhenBeforeV123ThenNotInForce() {
            assertThat(RunAsUserCheck.CHECK.at(PssVersion.of(22))).isNull();
            assertThat(run(RunAsUserCheck.CHECK, 23, ROOT).allowed()).isFalse();
        }

        @Test
        void runAsUserWhenUserNamespaceThenRelaxedFromV135() {
            String userns = ROOT.replace("spec: {", "spec: {hostUsers: false, ");
            assertThat(run(RunAsUserCheck.CHECK, 34, userns).allowed()).isFalse();
            assertThat(run(RunAsUserCheck.CHECK, 35, userns).allowed()).isTrue();
        }
    }

    @Nested
    class SeccompRestricted {
        @Test
        void seccompWhenUnsetThenPodOrContainers() {
            CheckResult r = latest(SeccompProfileRestrictedCheck.CHECK, "spec: {containers: [{name: a}, {name: b, securityContext: {seccompProfile: {type: RuntimeDefault}}}]}");
            assertThat(r.reason()).isEqualTo("seccompProfile");
            assertThat(r.detail()).isEqualTo("pod or container \"a\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
            assertThat(r.paths()).containsExactly("spec.containers[0].securityContext.seccompProfile.type");
        }

        @Test
        void seccompWhenExplicitlyBadThenSettersAndValues() {
            CheckResult r = latest(SeccompProfileRestrictedCheck.CHECK, """
                    spec:
                      securityContext: {seccompProfile: {type: Unconfined}}
                      containers: [{name: a, securityContext: {seccompProfile: {type: Bogus}}}, {name: b}]
                    """);
            assertThat(r.detail()).isEqualTo("pod and container \"a\" must not set securityContext.seccompProfile.type to \"Bogus\", \"Unconfined\"");
        }

        @Test
        void seccompWhenWindowsPodThenExemptFromV125() {
            String windows = "spec: {os: {name: windows}, containers: [{name: a}]}";
            assertThat(run(SeccompProfileRestrictedCheck.CHECK, 24, windows).allowed()).isFalse();
            assertThat(run(SeccompProfileRestrictedCheck.CHECK, 25, windows).allowed()).isTrue();
            assertThat(SeccompProfileRestrictedCheck.CHECK.at(PssVersion.of(18))).isNull();
        }
    }

    @Nested
    class CapabilitiesRestricted {
        @Test
        void capabilitiesWhenNotDroppedAndAddedThenBothDetails() {
            CheckResult r = latest(CapabilitiesRestrictedCheck.CHECK, """
                    spec:
                      containers:
                      - {name: a}
                      - {name: b, securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, SYS_TIME, CHOWN]}}}
                      - {name: c, securityContext: {capabilities: {drop: [NET_RAW], add: [CHOWN]}}}
                    """);
            assertThat(r.reason()).isEqualTo("unrestricted capabilities");
            assertThat(r.detail()).isEqualTo("containers \"a\", \"c\" must set securityContext.capabilities.drop=[\"ALL\"]; "
                    + "containers \"b\", \"c\" must not include \"CHOWN\", \"SYS_TIME\" in securityContext.capabilities.add");
            assertThat(r.paths()).startsWith("spec.containers[0].securityContext.capabilities.drop");
        }

        @Test
        void capabilitiesWhenWindowsPodThenExemptFromV125() {
            String windows = "spec: {os: {name: windows}, containers: [{name: a}]}";
            assertThat(run(CapabilitiesRestrictedCheck.CHECK, 24, windows).detail())
                    .isEqualTo("container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]");
            assertThat(run(CapabilitiesRestrictedCheck.CHECK, 25, windows).allowed()).isTrue();
            assertThat(CapabilitiesRestrictedCheck.CHECK.at(PssVersion.of(21))).isNull();
        }
    }
}
