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
                        "PodSecurityPolicy \"bad\": spec.runtimeClass.defaultRuntimeClassName: Invalid value: \"gvisor\": default must be allowed"));
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
