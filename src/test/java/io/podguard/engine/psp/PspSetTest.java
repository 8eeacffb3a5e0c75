package io.podguard.engine.psp;

import static io.podguard.engine.psp.PspFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Policies are checked when loaded, every problem named, instead of being skipped at admission. */
class PspSetTest {

    @Test
    void policiesAreSortedByName() {
        assertThat(PspSet.of(List.of(policy("b", ""), policy("a", ""))).providers()).extracting(PspProvider::name)
                .containsExactly("a", "b");
    }

    @Test
    void invalidPolicyThenEveryProblemNamed() {
        assertThatThrownBy(() -> PspSet.of(List.of(policy("bad", """
                spec:
                  runAsUser: {rule: MustRunAs}
                  fsGroup: {rule: Sometimes}
                  seLinux: {rule: MustRunAs}
                  hostPorts: [{min: 10, max: 1}]
                  volumes: [hostpath]
                  allowedProcMountTypes: [Masked]
                  allowPrivilegeEscalation: false
                  defaultAllowPrivilegeEscalation: true
                  allowedCapabilities: [KILL]
                  requiredDropCapabilities: [KILL]
                  runtimeClass: {allowedRuntimeClassNames: [kata], defaultRuntimeClassName: gvisor}
                  hostNetwerk: true
                  """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(String.join("\n",
                        "PodSecurityPolicy \"bad\": spec.hostNetwerk: unknown field",
                        "PodSecurityPolicy \"bad\": spec.runAsUser.ranges: Required value: MustRunAs requires at least one range",
                        "PodSecurityPolicy \"bad\": spec.fsGroup.rule: Unsupported value: \"Sometimes\": supported values: \"MustRunAs\", \"MayRunAs\", \"RunAsAny\"",
                        "PodSecurityPolicy \"bad\": spec.seLinux.seLinuxOptions: Required value: MustRunAs requires seLinuxOptions",
                        "PodSecurityPolicy \"bad\": spec.hostPorts[0]: Invalid value: {10 1}: min and max must be between 0 and 65535, min no more than max",
                        "PodSecurityPolicy \"bad\": spec.volumes[0]: Unsupported value: \"hostpath\"",
                        "PodSecurityPolicy \"bad\": spec.allowedProcMountTypes[0]: Unsupported value: \"Masked\": supported values: \"Default\", \"Unmasked\"",
                        "PodSecurityPolicy \"bad\": spec.defaultAllowPrivilegeEscalation: Invalid value: true: Cannot set DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true",
                        "PodSecurityPolicy \"bad\": spec.requiredDropCapabilities: Invalid value: \"KILL\": capability is listed in allowedCapabilities and requiredDropCapabilities",
                        "PodSecurityPolicy \"bad\": spec.runtimeClass.allowedRuntimeClassNames: Required value: default \"gvisor\" must be allowed"));
    }

    @Test
    void policiesTheApiserverRefusedThenRefusedInItsWords() {
        assertThatThrownBy(() -> PspSet.of(List.of(policy("bad", """
                spec:
                  allowedHostPaths: [{pathPrefix: /var/log/../../etc}]
                  allowedFlexVolumes: [{driver: ''}]
                  allowedCSIDrivers: [{name: -csi-}]
                  allowedCapabilities: ['*']
                  requiredDropCapabilities: [NET_RAW]
                  allowedUnsafeSysctls: [net.core.somaxconn, 'kernel.msg*', Kernel.Bad]
                  forbiddenSysctls: ['net.*', '*']
                  runtimeClass: {allowedRuntimeClassNames: ['*', Kata, Kata]}
                  """))))
                .hasMessage(String.join("\n",
                        "PodSecurityPolicy \"bad\": spec.allowedHostPaths[0]: Invalid value: \"/var/log/../../etc\": must not contain '..'",
                        "PodSecurityPolicy \"bad\": spec.allowedFlexVolumes[0]: driver: Required value: must specify a driver",
                        "PodSecurityPolicy \"bad\": spec.allowedCSIDrivers[0]: name: Invalid value: \"-csi-\": a lowercase RFC 1123 subdomain"
                                + " must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric"
                                + " character",
                        "PodSecurityPolicy \"bad\": spec.requiredDropCapabilities: Invalid value: []core.Capability{\"NET_RAW\"}:"
                                + " must be empty when all capabilities are allowed by a wildcard",
                        "PodSecurityPolicy \"bad\": spec.allowedUnsafeSysctls[2]: Invalid value: \"Kernel.Bad\": must have at most 253"
                                + " characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?\\.)*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]",
                        "PodSecurityPolicy \"bad\": spec.forbiddenSysctls.items: Forbidden: if '*' is present, must not specify other sysctls",
                        "PodSecurityPolicy \"bad\": spec.allowedUnsafeSysctls[0]: Invalid value: \"net.core.somaxconn\": sysctl overlaps with net.*",
                        "PodSecurityPolicy \"bad\": spec.allowedUnsafeSysctls[0]: Invalid value: \"net.core.somaxconn\": sysctl overlaps with *",
                        "PodSecurityPolicy \"bad\": spec.allowedUnsafeSysctls[1]: Invalid value: \"kernel.msg*\": sysctl overlaps with *",
                        "PodSecurityPolicy \"bad\": spec.allowedUnsafeSysctls[2]: Invalid value: \"Kernel.Bad\": sysctl overlaps with *",
                        "PodSecurityPolicy \"bad\": spec.runtimeClass.allowedRuntimeClassNames[1]: Invalid value: \"Kata\": a lowercase RFC 1123"
                                + " subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an"
                                + " alphanumeric character",
                        "PodSecurityPolicy \"bad\": spec.runtimeClass.allowedRuntimeClassNames[2]: Invalid value: \"Kata\": a lowercase RFC 1123"
                                + " subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an"
                                + " alphanumeric character",
                        "PodSecurityPolicy \"bad\": spec.runtimeClass.allowedRuntimeClassNames[2]: Duplicate value: \"Kata\"",
                        "PodSecurityPolicy \"bad\": spec.runtimeClass.allowedRuntimeClassNames: Invalid value: [* Kata Kata]: if '*' is"
                                + " present, must not specify other RuntimeClass names"));
    }

    @Test
    void hugeSysctlListsThenRefusedWithoutComparingEveryPair() {
        String many = "[" + String.join(", ", java.util.Collections.nCopies(1_025, "'net.*'")) + "]";
        assertThatThrownBy(() -> PspSet.of(List.of(policy("huge", "spec: {allowedUnsafeSysctls: " + many + ", forbiddenSysctls: " + many + "}"))))
                .hasMessage(String.join("\n",
                        "PodSecurityPolicy \"huge\": spec.allowedUnsafeSysctls: Too many: 1025: must have at most 1024 items",
                        "PodSecurityPolicy \"huge\": spec.forbiddenSysctls: Too many: 1025: must have at most 1024 items"));
        // At the bound, every pair overlaps: the first 20 are named, the rest counted.
        String most = "[" + String.join(", ", java.util.Collections.nCopies(1_024, "'net.*'")) + "]";
        String message = org.assertj.core.api.Assertions.catchThrowable(() -> PspSet.of(List.of(policy("most",
                "spec: {allowedUnsafeSysctls: " + most + ", forbiddenSysctls: " + most + "}")))).getMessage();
        assertThat(message.lines()).hasSize(21);
        assertThat(message.lines().toList().getLast())
                .isEqualTo("PodSecurityPolicy \"most\": spec.allowedUnsafeSysctls: " + (1_024 * 1_024 - 20) + " more overlaps with spec.forbiddenSysctls");
    }

    @Test
    void duplicateNamesAndBadBindingsThenRefused() {
        assertThatThrownBy(() -> PspSet.of(List.of(policy("a", ""),
                policy("a", "metadata: {annotations: {podguard.io/service-accounts: 'a:b:c', podguard.io/namespaces: ' , '}}"))))
                .hasMessage(String.join("\n",
                        "PodSecurityPolicy \"a\": metadata.name: Duplicate value: \"a\"",
                        "PodSecurityPolicy \"a\": metadata.annotations[podguard.io/namespaces]: must name at least one namespace",
                        "PodSecurityPolicy \"a\": metadata.annotations[podguard.io/service-accounts]: \"a:b:c\" is not NAME or NAMESPACE:NAME"));
    }
}
