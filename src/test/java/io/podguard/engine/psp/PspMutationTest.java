package io.podguard.engine.psp;

import static io.podguard.engine.psp.PspFixtures.errors;
import static io.podguard.engine.psp.PspFixtures.mutated;
import static io.podguard.engine.psp.PspFixtures.pod;
import static io.podguard.engine.psp.PspFixtures.podObject;
import static io.podguard.engine.psp.PspFixtures.provider;
import static io.podguard.engine.psp.PspFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.PodObject;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Defaulting, field by field, after Kubernetes' PSP provider tests
 * (TestDefaultPodSecurityContextNonmutating, TestDefaultContainerSecurityContextNonmutating,
 * TestGenerateContainerSecurityContextReadOnlyRootFS, the defaulting cases of the strategies):
 * what is set, that nothing set is overwritten, and that a defaulted pod then validates.
 */
class PspMutationTest {

    /** The pod's JSON after the policy's defaults equals {@code expected}; the result validates and is a fixed point. */
    private static void assertDefaults(String psp, String pod, String expected) {
        PspProvider provider = provider(psp);
        PodObject before = pod(pod);
        ObjectNode after = mutated(provider, before);
        assertThat(after).isEqualTo(yaml(expected));
        PodObject defaulted = podObject(after);
        assertThat(errors(provider, defaulted)).isEmpty();
        assertThat(mutated(provider, defaulted)).isEqualTo(after);
    }

    private static void assertUnchanged(String psp, String pod) {
        PodObject before = pod(pod);
        assertThat(mutated(provider(psp), before)).isEqualTo(before.podNode());
    }

    @Test
    void permissivePolicyChangesNothing() {
        assertUnchanged("", "");
        assertUnchanged("", "spec: {securityContext: null, containers: [{name: app, image: x}]}");
    }

    @Test
    void supplementalGroupsAndFsGroupMustRunAsThenFirstRangesMin() {
        assertDefaults("spec: {supplementalGroups: {rule: MustRunAs, ranges: [{min: 5, max: 10}, {min: 1, max: 2}]}, fsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 9}]}}",
                "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {supplementalGroups: [5], fsGroup: 7}
                  containers: [{name: app, image: nginx, securityContext: {}}]
                """);
    }

    @Test
    void groupsAlreadySetOrMayRunAsThenUnchanged() {
        assertUnchanged("spec: {fsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 9}]}}", "spec: {securityContext: {fsGroup: 8}}");
        assertUnchanged("spec: {supplementalGroups: {rule: MayRunAs, ranges: [{min: 7, max: 9}]}, fsGroup: {rule: MayRunAs, ranges: [{min: 7, max: 9}]}}", "");
    }

    @Test
    void runAsUserMustRunAsThenEachContainerGetsTheMinUnlessThePodSetsIt() {
        assertDefaults("spec: {runAsUser: {rule: MustRunAs, ranges: [{min: 1000, max: 2000}]}}",
                "spec: {initContainers: [{name: init, image: x}]}", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  initContainers: [{name: init, image: x, securityContext: {runAsUser: 1000}}]
                  containers: [{name: app, image: nginx, securityContext: {runAsUser: 1000}}]
                """);
        assertUnchanged("spec: {runAsUser: {rule: MustRunAs, ranges: [{min: 1000, max: 2000}]}}", "spec: {securityContext: {runAsUser: 1500}}");
    }

    @Test
    void mustRunAsNonRootThenRunAsNonRootUnlessAUserOrTheFlagIsSet() {
        assertDefaults("spec: {runAsUser: {rule: MustRunAsNonRoot}}", "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: nginx, securityContext: {runAsNonRoot: true}}]
                """);
        assertUnchanged("spec: {runAsUser: {rule: MustRunAsNonRoot}}", "spec: {securityContext: {runAsUser: 1000}}");
        assertUnchanged("spec: {runAsUser: {rule: MustRunAsNonRoot}}", "spec: {securityContext: {runAsNonRoot: true}}");
    }

    @Test
    void runAsGroupMustRunAsThenContainerGroup() {
        assertDefaults("spec: {runAsGroup: {rule: MustRunAs, ranges: [{min: 3000, max: 3000}]}}", "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: nginx, securityContext: {runAsGroup: 3000}}]
                """);
    }

    @Test
    void seLinuxMustRunAsThenSetOnThePodWhichContainersInherit() {
        assertDefaults("spec: {seLinux: {rule: MustRunAs, seLinuxOptions: {level: 's0:c1,c2', type: container_t}}}", "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {seLinuxOptions: {level: 's0:c1,c2', type: container_t}}
                  containers: [{name: app, image: nginx, securityContext: {}}]
                """);
    }

    @Test
    void capabilitiesDefaultAddAndRequiredDropAreMergedSorted() {
        assertDefaults("spec: {defaultAddCapabilities: [NET_BIND_SERVICE, CHOWN], requiredDropCapabilities: [ALL]}",
                "spec: {containers: [{name: app, image: x, securityContext: {capabilities: {drop: [CHOWN]}}}]}", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: x, securityContext: {capabilities: {add: [NET_BIND_SERVICE], drop: [ALL, CHOWN]}}}]
                """);
        assertUnchanged("spec: {requiredDropCapabilities: [ALL]}",
                "spec: {containers: [{name: app, image: x, securityContext: {capabilities: {drop: [ALL]}}}]}");
    }

    @Test
    void readOnlyRootFilesystemThenTrueUnlessTheContainerChose() {
        assertDefaults("spec: {readOnlyRootFilesystem: true}", "spec: {containers: [{name: app, image: x}]}", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: x, securityContext: {readOnlyRootFilesystem: true}}]
                """);
        assertUnchanged("spec: {readOnlyRootFilesystem: true}",
                "spec: {containers: [{name: app, image: x, securityContext: {readOnlyRootFilesystem: false}}]}");
    }

    @Test
    void privilegeEscalationDefaultsFromEitherField() {
        String expected = """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false}}]
                """;
        assertDefaults("spec: {allowPrivilegeEscalation: false}", "", expected);
        assertDefaults("spec: {defaultAllowPrivilegeEscalation: false}", "", expected);
        assertUnchanged("spec: {defaultAllowPrivilegeEscalation: false}",
                "spec: {containers: [{name: app, image: x, securityContext: {allowPrivilegeEscalation: true}}]}");
    }

    @Test
    void seccompDefaultThenAnnotationWhenJudgedAndFieldTooInThePatch() {
        String psp = """
                metadata:
                  annotations:
                    seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,docker/default'
                    seccomp.security.alpha.kubernetes.io/defaultProfileName: docker/default
                """;
        // The policies are tried on the annotation alone, as MutatePod set it ...
        assertDefaults(psp, "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default, annotations: {seccomp.security.alpha.kubernetes.io/pod: docker/default}}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: nginx, securityContext: {}}]
                """);
        // ... and the chosen one's default is written to the field as well, which is what takes effect today.
        PodObject pod = pod("");
        PspDecision decision = PspEngine.admit(java.util.List.of(provider(psp)), pod, true);
        assertThat(io.fabric8.zjsonpatch.JsonPatch.apply(decision.patch(), pod.object())).isEqualTo(yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: pod
                  namespace: default
                  annotations: {seccomp.security.alpha.kubernetes.io/pod: docker/default, kubernetes.io/psp: psp}
                spec:
                  securityContext: {seccompProfile: {type: RuntimeDefault}}
                  containers: [{name: app, image: nginx, securityContext: {}}]
                """));
    }

    @Test
    void seccompAlreadyChosenByFieldOrAnnotationThenUnchanged() {
        String psp = "metadata: {annotations: {seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default, seccomp.security.alpha.kubernetes.io/allowedProfileNames: '*'}}";
        assertUnchanged(psp, "spec: {securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}}");
        assertUnchanged(psp, "metadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}}");
    }

    @Test
    void appArmorDefaultThenContainerAnnotation() {
        assertDefaults("""
                metadata:
                  annotations:
                    apparmor.security.beta.kubernetes.io/allowedProfileNames: runtime/default
                    apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default
                """, "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default, annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default}}
                spec:
                  securityContext: {}
                  containers: [{name: app, image: nginx, securityContext: {}}]
                """);
    }

    @Test
    void runtimeClassDefaultThenSetWhenUnset() {
        assertDefaults("spec: {runtimeClass: {allowedRuntimeClassNames: [gvisor, kata], defaultRuntimeClassName: gvisor}}", "", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {}
                  runtimeClassName: gvisor
                  containers: [{name: app, image: nginx, securityContext: {}}]
                """);
        assertUnchanged("spec: {runtimeClass: {allowedRuntimeClassNames: [gvisor, kata], defaultRuntimeClassName: gvisor}}",
                "spec: {runtimeClassName: kata}");
    }

    @Test
    void securityContextsAreCreatedWhereAbsent() {
        assertDefaults("spec: {fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 1}]}, readOnlyRootFilesystem: true}",
                "spec: {securityContext: null, containers: [{name: app, image: x}]}", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pod, namespace: default}
                spec:
                  securityContext: {fsGroup: 1}
                  containers: [{name: app, image: x, securityContext: {readOnlyRootFilesystem: true}}]
                """);
    }
}
