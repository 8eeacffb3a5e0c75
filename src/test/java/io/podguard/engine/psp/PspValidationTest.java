package io.podguard.engine.psp;

import static io.podguard.engine.psp.PspFixtures.errors;
import static io.podguard.engine.psp.PspFixtures.pod;
import static io.podguard.engine.psp.PspFixtures.provider;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Validation, field by field, after the cases of Kubernetes' PSP provider tests
 * (TestValidatePodFailures, TestValidateContainerFailures, TestValidatePodSuccess,
 * TestValidateContainerSuccess): each asserts upstream's exact error text.
 */
class PspValidationTest {

    private static void assertErrors(String psp, String pod, String... expected) {
        assertThat(errors(provider(psp), pod(pod))).containsExactly(expected);
    }

    // ------------------------------------------------------------- pod level: failures

    @Test
    void hostNetworkWhenPolicyForbidsThenInvalid() {
        assertErrors("", "spec: {hostNetwork: true}",
                "spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used");
    }

    @Test
    void hostPidAndIpcWhenPolicyForbidsThenInvalid() {
        assertErrors("", "spec: {hostPID: true, hostIPC: true}",
                "spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used",
                "spec.securityContext.hostIPC: Invalid value: true: Host IPC is not allowed to be used");
    }

    @Test
    void supplementalGroupOutOfRangeThenInvalid() {
        assertErrors("spec: {supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 1}]}}",
                "spec: {securityContext: {supplementalGroups: [999]}}",
                "spec.securityContext.supplementalGroups: Invalid value: []int64{999}: group 999 must be in the ranges: [{1 1}]");
    }

    @Test
    void supplementalGroupsMissingUnderMustRunAsThenInvalid() {
        assertErrors("spec: {supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 1}]}}", "",
                "spec.securityContext.supplementalGroups: Invalid value: []int64(nil): unable to validate empty groups against required ranges");
    }

    @Test
    void supplementalGroupsMissingUnderMayRunAsThenAllowed() {
        assertErrors("spec: {supplementalGroups: {rule: MayRunAs, ranges: [{min: 1, max: 1}]}}", "");
    }

    @Test
    void fsGroupOutOfRangeThenInvalid() {
        assertErrors("spec: {fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 1}, {min: 5, max: 10}]}}",
                "spec: {securityContext: {fsGroup: 999}}",
                "spec.securityContext.fsGroup: Invalid value: []int64{999}: group 999 must be in the ranges: [{1 1} {5 10}]");
    }

    @Test
    void fsGroupMissingUnderMustRunAsThenInvalid() {
        assertErrors("spec: {fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 1}]}}", "",
                "spec.securityContext.fsGroup: Invalid value: []int64(nil): unable to validate empty groups against required ranges");
    }

    @Test
    void seLinuxMissingUnderMustRunAsThenRequiredOnPodAndContainer() {
        assertErrors("spec: {seLinux: {rule: MustRunAs, seLinuxOptions: {level: foo}}}", "",
                "spec.securityContext.seLinuxOptions: Required value",
                "spec.containers[0].securityContext.seLinuxOptions: Required value");
    }

    @Test
    void seLinuxLevelMismatchThenInvalid() {
        assertErrors("spec: {seLinux: {rule: MustRunAs, seLinuxOptions: {level: foo}}}",
                "spec: {securityContext: {seLinuxOptions: {level: bar}}}",
                "spec.securityContext.seLinuxOptions.level: Invalid value: \"bar\": must be foo",
                "spec.containers[0].securityContext.seLinuxOptions.level: Invalid value: \"bar\": must be foo");
    }

    @Test
    void seLinuxLevelWithCategoriesInAnotherOrderThenAllowed() {
        assertErrors("spec: {seLinux: {rule: MustRunAs, seLinuxOptions: {level: 's0:c1,c0', type: container_t}}}",
                "spec: {securityContext: {seLinuxOptions: {level: 's0:c0,c1', type: container_t}}}");
    }

    @Test
    void volumeTypeNotListedThenInvalid() {
        assertErrors("spec: {volumes: [configMap]}",
                "spec: {volumes: [{name: host, hostPath: {path: /etc}}, {name: cfg, configMap: {name: x}}]}",
                "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used");
    }

    @Test
    void noVolumesListedThenEveryVolumeInvalid() {
        assertErrors("spec: {volumes: []}", "spec: {volumes: [{name: data, emptyDir: {}}]}",
                "spec.volumes[0]: Invalid value: \"emptyDir\": emptyDir volumes are not allowed to be used");
    }

    @Test
    void hostPathOutsidePrefixesThenInvalid() {
        assertErrors("spec: {volumes: [hostPath], allowedHostPaths: [{pathPrefix: /foo/bar}]}",
                "spec: {volumes: [{name: host, hostPath: {path: /foo}}]}",
                "spec.volumes[0].hostPath.pathPrefix: Invalid value: \"/foo\": is not allowed to be used");
    }

    @Test
    void hostPathPrefixMatchesBySegmentNotByCharacters() {
        String psp = "spec: {volumes: [hostPath], allowedHostPaths: [{pathPrefix: /var/log}]}";
        assertErrors(psp, "spec: {volumes: [{name: h, hostPath: {path: /var/log/app}}]}");
        assertErrors(psp, "spec: {volumes: [{name: h, hostPath: {path: /var/log/}}]}");
        assertErrors(psp, "spec: {volumes: [{name: h, hostPath: {path: /var/logs}}]}",
                "spec.volumes[0].hostPath.pathPrefix: Invalid value: \"/var/logs\": is not allowed to be used");
        assertErrors(psp, "spec: {volumes: [{name: h, hostPath: {path: /var/log/../../etc}}]}",
                "spec.volumes[0].hostPath.pathPrefix: Invalid value: \"/var/log/../../etc\": is not allowed to be used");
    }

    @Test
    void readOnlyHostPathMountedWritableThenEveryWritableMountInvalid() {
        assertErrors("spec: {volumes: [hostPath], allowedHostPaths: [{pathPrefix: /var/log, readOnly: true}]}", """
                spec:
                  volumes: [{name: logs, hostPath: {path: /var/log/pods}}]
                  initContainers:
                  - {name: init, image: busybox, volumeMounts: [{name: logs, mountPath: /logs, readOnly: true}]}
                  containers:
                  - name: app
                    image: nginx
                    volumeMounts: [{name: other, mountPath: /x}, {name: logs, mountPath: /logs}]
                """,
                "spec.containers[0].volumeMounts[1].readOnly: Invalid value: false: must be read-only");
    }

    @Test
    void writablePrefixWinsOverReadOnlyOne() {
        assertErrors("spec: {volumes: [hostPath], allowedHostPaths: [{pathPrefix: /var, readOnly: true}, {pathPrefix: /var/log}]}",
                "spec: {volumes: [{name: logs, hostPath: {path: /var/log}}], containers: [{name: app, image: x, volumeMounts: [{name: logs, mountPath: /l}]}]}");
    }

    @Test
    void flexVolumeDriverNotAllowedThenInvalid() {
        assertErrors("spec: {volumes: [flexVolume], allowedFlexVolumes: [{driver: example/foo}]}",
                "spec: {volumes: [{name: f, flexVolume: {driver: example/bar}}]}",
                "spec.volumes[0].driver: Invalid value: \"example/bar\": Flexvolume driver is not allowed to be used");
        assertErrors("spec: {volumes: [flexVolume], allowedFlexVolumes: [{driver: example/foo}]}",
                "spec: {volumes: [{name: f, flexVolume: {driver: example/foo}}]}");
    }

    @Test
    void csiDriverNotAllowedThenInvalid() {
        assertErrors("spec: {volumes: [csi], allowedCSIDrivers: [{name: csi.driver.foo}]}",
                "spec: {volumes: [{name: c, csi: {driver: csi.driver.bar}}]}",
                "spec.volumes[0].csi.driver: Invalid value: \"csi.driver.bar\": Inline CSI driver is not allowed to be used");
    }

    @Test
    void volumeOfUnknownTypeThenInvalid() {
        assertErrors("", "spec: {volumes: [{name: img, image: {reference: x}}]}",
                "spec.volumes[0]: Invalid value: \"\": unknown volume type for volume: \"img\"");
    }

    @Test
    void unsafeSysctlNotAllowedThenForbidden() {
        assertErrors("", "spec: {securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: '0'}, {name: net.core.somaxconn, value: '1024'}]}}",
                "pod.spec.securityContext.sysctls[1]: Forbidden: unsafe sysctl \"net.core.somaxconn\" is not allowed");
    }

    @Test
    void forbiddenSysctlPatternWinsOverSafeList() {
        assertErrors("spec: {forbiddenSysctls: ['kernel.*']}", "spec: {securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: '0'}]}}",
                "pod.spec.securityContext.sysctls[0]: Forbidden: sysctl \"kernel.shm_rmid_forced\" is not allowed");
    }

    @Test
    void allowedUnsafeSysctlPatternThenAllowed() {
        assertErrors("spec: {allowedUnsafeSysctls: ['kernel.msg*', net.core.somaxconn]}",
                "spec: {securityContext: {sysctls: [{name: kernel.msgmax, value: '1'}, {name: net.core.somaxconn, value: '1'}]}}");
    }

    @Test
    void runtimeClassNotAllowedThenInvalidWithoutDetail() {
        assertErrors("spec: {runtimeClass: {allowedRuntimeClassNames: [foo]}}", "spec: {runtimeClassName: bar}",
                "spec.runtimeClassName: Invalid value: \"bar\"");
        assertErrors("spec: {runtimeClass: {allowedRuntimeClassNames: ['*']}}", "spec: {runtimeClassName: bar}");
        assertErrors("spec: {runtimeClass: {allowedRuntimeClassNames: [foo]}}", "");
    }

    @Test
    void podSeccompAnnotationNotAllowedThenForbiddenForPodAndItsContainers() {
        assertErrors("metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: foo}}",
                "metadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: bar}}",
                "pod.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: bar is not an allowed seccomp profile. Valid values are foo",
                "pod.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: Forbidden: bar is not an allowed seccomp profile. Valid values are foo");
    }

    @Test
    void seccompSetWithoutAllowedListThenForbidden() {
        assertErrors("", "spec: {securityContext: {seccompProfile: {type: RuntimeDefault}}}",
                "pod.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: seccomp may not be set",
                "pod.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: Forbidden: seccomp may not be set");
    }

    @Test
    void containerSeccompFieldIsJudgedInAnnotationNotation() {
        assertErrors("metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default}}", """
                spec:
                  securityContext: {seccompProfile: {type: RuntimeDefault}}
                  containers: [{name: app, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: my.json}}}]
                """,
                "pod.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: Forbidden: localhost/my.json is not an allowed seccomp profile. Valid values are runtime/default");
    }

    @Test
    void dockerDefaultAndRuntimeDefaultAllowEachOther() {
        assertErrors("metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: docker/default}}",
                "spec: {securityContext: {seccompProfile: {type: RuntimeDefault}}}");
        assertErrors("metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: '*'}}",
                "metadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}}");
    }

    // ------------------------------------------------------------- container level: failures

    @Test
    void runAsUserOutOfRangeThenInvalid() {
        assertErrors("spec: {runAsUser: {rule: MustRunAs, ranges: [{min: 999, max: 999}]}}",
                "spec: {containers: [{name: app, image: x, securityContext: {runAsUser: 1}}]}",
                "spec.containers[0].securityContext.runAsUser: Invalid value: 1: must be in the ranges: [{999 999}]");
    }

    @Test
    void runAsUserMissingUnderMustRunAsThenRequired() {
        assertErrors("spec: {runAsUser: {rule: MustRunAs, ranges: [{min: 999, max: 999}]}}", "",
                "spec.containers[0].securityContext.runAsUser: Required value");
    }

    @Test
    void runAsUserInheritedFromPodThenJudgedPerContainer() {
        assertErrors("spec: {runAsUser: {rule: MustRunAs, ranges: [{min: 999, max: 999}]}}",
                "spec: {securityContext: {runAsUser: 999}}");
    }

    @Test
    void mustRunAsNonRootWhenNothingSetThenRequired() {
        assertErrors("spec: {runAsUser: {rule: MustRunAsNonRoot}}", "",
                "spec.containers[0].securityContext.runAsNonRoot: Required value: must be true");
    }

    @Test
    void mustRunAsNonRootWhenRunAsNonRootFalseThenInvalid() {
        assertErrors("spec: {runAsUser: {rule: MustRunAsNonRoot}}",
                "spec: {containers: [{name: app, image: x, securityContext: {runAsNonRoot: false}}]}",
                "spec.containers[0].securityContext.runAsNonRoot: Invalid value: false: must be true");
    }

    @Test
    void mustRunAsNonRootWhenRootUidThenInvalid() {
        assertErrors("spec: {runAsUser: {rule: MustRunAsNonRoot}}",
                "spec: {containers: [{name: app, image: x, securityContext: {runAsUser: 0}}]}",
                "spec.containers[0].securityContext.runAsUser: Invalid value: 0: running with the root UID is forbidden");
        assertErrors("spec: {runAsUser: {rule: MustRunAsNonRoot}}",
                "spec: {containers: [{name: app, image: x, securityContext: {runAsUser: 1000}}]}");
    }

    @Test
    void runAsGroupOutOfRangeThenInvalidOnTheSecurityContext() {
        assertErrors("spec: {runAsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 10}]}}",
                "spec: {containers: [{name: app, image: x, securityContext: {runAsGroup: 20}}]}",
                "spec.containers[0].securityContext: Invalid value: []int64{20}: group 20 must be in the ranges: [{1 10}]");
        assertErrors("spec: {runAsGroup: {rule: MayRunAs, ranges: [{min: 1, max: 10}]}}", "");
    }

    @Test
    void privilegedWhenPolicyForbidsThenInvalid() {
        assertErrors("", "spec: {containers: [{name: app, image: x, securityContext: {privileged: true}}]}",
                "spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed");
        assertErrors("spec: {privileged: true}", "spec: {containers: [{name: app, image: x, securityContext: {privileged: true}}]}");
    }

    @Test
    void capabilityNotAllowedThenInvalid() {
        assertErrors("spec: {allowedCapabilities: [NET_ADMIN], defaultAddCapabilities: [CHOWN]}",
                "spec: {containers: [{name: app, image: x, securityContext: {capabilities: {add: [CHOWN, NET_ADMIN, SYS_ADMIN]}}}]}",
                "spec.containers[0].securityContext.capabilities.add: Invalid value: \"SYS_ADMIN\": capability may not be added");
    }

    @Test
    void anyCapabilityWhenAllowedIsWildcard() {
        assertErrors("spec: {allowedCapabilities: ['*']}",
                "spec: {containers: [{name: app, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}");
    }

    @Test
    void requiredDropMissingThenInvalid() {
        assertErrors("spec: {requiredDropCapabilities: [KILL, MKNOD]}",
                "spec: {containers: [{name: app, image: x, securityContext: {capabilities: {drop: [KILL]}}}]}",
                "spec.containers[0].securityContext.capabilities.drop: Invalid value: []core.Capability{\"KILL\"}: MKNOD is required to be dropped but was not found");
        assertErrors("spec: {requiredDropCapabilities: [KILL]}",
                "spec: {containers: [{name: app, image: x, securityContext: {capabilities: {}}}]}",
                "spec.containers[0].securityContext.capabilities.drop: Invalid value: []core.Capability(nil): KILL is required to be dropped but was not found");
        assertErrors("spec: {requiredDropCapabilities: [KILL]}", "",
                "spec.containers[0].securityContext.capabilities: Invalid value: null: required capabilities are not set on the securityContext");
    }

    @Test
    void hostPortOutsideRangesThenInvalid() {
        assertErrors("", "spec: {containers: [{name: app, image: x, ports: [{containerPort: 80, hostPort: 1}]}]}",
                "spec.containers[0].hostPort: Invalid value: 1: Host port 1 is not allowed to be used. Allowed ports: []");
        assertErrors("spec: {hostPorts: [{min: 1, max: 1}, {min: 80, max: 90}]}",
                "spec: {containers: [{name: app, image: x, ports: [{containerPort: 85, hostPort: 85}, {containerPort: 100, hostPort: 100}]}]}",
                "spec.containers[0].hostPort: Invalid value: 100: Host port 100 is not allowed to be used. Allowed ports: [1,80-90]");
    }

    @Test
    void readOnlyRootFilesystemRequiredThenInvalidWhenFalseOrUnset() {
        assertErrors("spec: {readOnlyRootFilesystem: true}",
                "spec: {containers: [{name: app, image: x, securityContext: {readOnlyRootFilesystem: false}}]}",
                "spec.containers[0].securityContext.readOnlyRootFilesystem: Invalid value: false: ReadOnlyRootFilesystem must be set to true");
        assertErrors("spec: {readOnlyRootFilesystem: true}", "",
                "spec.containers[0].securityContext.readOnlyRootFilesystem: Invalid value: null: ReadOnlyRootFilesystem may not be nil and must be set to true");
    }

    @Test
    void privilegeEscalationForbiddenThenInvalidWhenTrueOrUnset() {
        assertErrors("spec: {allowPrivilegeEscalation: false}",
                "spec: {containers: [{name: app, image: x, securityContext: {allowPrivilegeEscalation: true}}]}",
                "spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: true: Allowing privilege escalation for containers is not allowed");
        assertErrors("spec: {allowPrivilegeEscalation: false}", "",
                "spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: null: Allowing privilege escalation for containers is not allowed");
        assertErrors("", "spec: {containers: [{name: app, image: x, securityContext: {allowPrivilegeEscalation: true}}]}");
    }

    @Test
    void procMountNotAllowedThenInvalid() {
        assertErrors("", "spec: {containers: [{name: app, image: x, securityContext: {procMount: Unmasked}}]}",
                "spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": ProcMountType is not allowed");
        assertErrors("spec: {allowedProcMountTypes: [Default, Unmasked]}",
                "spec: {containers: [{name: app, image: x, securityContext: {procMount: Unmasked}}]}");
    }

    @Test
    void appArmorProfileMissingOrNotAllowedThenForbidden() {
        String psp = "metadata: {annotations: {apparmor.security.beta.kubernetes.io/allowedProfileNames: runtime/default}}";
        assertErrors(psp, "",
                "pod.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: Forbidden: AppArmor profile must be set");
        assertErrors(psp, "metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/app: localhost/foo}}",
                "pod.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: Forbidden: localhost/foo is not an allowed profile. Allowed values: \"runtime/default\"");
        assertErrors(psp, "metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default}}");
    }

    @Test
    void appArmorFieldCannotBypassTheAnnotationRule() {
        String psp = "metadata: {annotations: {apparmor.security.beta.kubernetes.io/allowedProfileNames: runtime/default}}";
        assertErrors(psp, "spec: {containers: [{name: app, image: x, securityContext: {appArmorProfile: {type: Unconfined}}}]}",
                "pod.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: Forbidden: unconfined is not an allowed profile. Allowed values: \"runtime/default\"");
        assertErrors(psp, "spec: {securityContext: {appArmorProfile: {type: RuntimeDefault}}}");
    }

    @Test
    void everyContainerKindIsJudgedInitFirstWithItsOwnPath() {
        assertErrors("", """
                spec:
                  initContainers: [{name: init, image: x, securityContext: {privileged: true}}]
                  containers: [{name: app, image: x, securityContext: {privileged: true}}]
                  ephemeralContainers: [{name: debug, image: x, securityContext: {privileged: true}}]
                """,
                "spec.initContainers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed",
                "spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed",
                "spec.ephemeralContainers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed");
    }

    // ------------------------------------------------------------- successes

    @Test
    void permissivePolicyAllowsAnUnremarkablePod() {
        assertErrors("", """
                spec:
                  volumes: [{name: data, emptyDir: {}}, {name: host, hostPath: {path: /}}]
                  containers: [{name: app, image: x, volumeMounts: [{name: data, mountPath: /d}]}]
                """);
    }

    @Test
    void hostNamespacesAndPortsWhenPolicyAllowsThenAllowed() {
        assertErrors("spec: {hostNetwork: true, hostPID: true, hostIPC: true, hostPorts: [{min: 0, max: 65535}]}",
                "spec: {hostNetwork: true, hostPID: true, hostIPC: true, containers: [{name: app, image: x, ports: [{containerPort: 80, hostPort: 80}]}]}");
    }
}
