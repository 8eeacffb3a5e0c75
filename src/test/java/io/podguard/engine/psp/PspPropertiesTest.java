package io.podguard.engine.psp;

import static io.podguard.engine.psp.PspFixtures.podObject;
import static io.podguard.engine.psp.PspFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.engine.Json;
import io.podguard.engine.PodObject;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generated pods against generated sets of policies: nothing escapes as an exception, and a pod
 * that a policy admitted after its defaults is admitted unchanged, by that same policy, when the
 * final pod is judged on /validate (so podguard never refuses what it defaulted).
 */
class PspPropertiesTest {

    private static final List<String> POLICY_OVERLAYS = List.of(
            "",
            "spec: {runAsUser: {rule: MustRunAsNonRoot}, allowPrivilegeEscalation: false, requiredDropCapabilities: [ALL], volumes: [configMap, emptyDir, secret]}",
            "spec: {runAsUser: {rule: MustRunAs, ranges: [{min: 1000, max: 2000}]}, runAsGroup: {rule: MustRunAs, ranges: [{min: 3000, max: 3000}]}, fsGroup: {rule: MustRunAs, ranges: [{min: 5, max: 9}]}, supplementalGroups: {rule: MustRunAs, ranges: [{min: 5, max: 9}]}}",
            "spec: {readOnlyRootFilesystem: true, defaultAddCapabilities: [NET_BIND_SERVICE], allowedCapabilities: [CHOWN], seLinux: {rule: MustRunAs, seLinuxOptions: {level: 's0:c1,c2'}}}",
            "metadata: {annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,localhost/*', seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default, apparmor.security.beta.kubernetes.io/allowedProfileNames: runtime/default, apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default}}",
            "spec: {volumes: [hostPath, emptyDir], allowedHostPaths: [{pathPrefix: /var/log, readOnly: true}], hostNetwork: true, hostPorts: [{min: 80, max: 90}], runtimeClass: {allowedRuntimeClassNames: [gvisor], defaultRuntimeClassName: gvisor}}");

    @Provide
    Arbitrary<List<PspProvider>> policies() {
        return Arbitraries.integers().between(0, POLICY_OVERLAYS.size() - 1).list().ofMinSize(1).ofMaxSize(4).uniqueElements()
                .map(indexes -> {
                    List<PodSecurityPolicy> psps = new ArrayList<>();
                    for (int i : indexes) {
                        psps.add(policy("p" + i, POLICY_OVERLAYS.get(i)));
                    }
                    return PspSet.of(psps).providers();
                });
    }

    @Provide
    Arbitrary<ObjectNode> pods() {
        Arbitrary<ObjectNode> container = Combinators.combine(
                Arbitraries.of("app", "side", "web"),
                Arbitraries.of(null, null, null, true, false),
                Arbitraries.of(null, null, null, 0L, 1000L, 1500L, 65534L),
                Arbitraries.of(null, true, false),
                Arbitraries.<List<String>>of(null, null, null, List.of(), List.of("NET_BIND_SERVICE"), List.of("CHOWN", "SYS_ADMIN")),
                Arbitraries.of(null, null, null, null, 0, 80, 85, 8080),
                Arbitraries.of(null, null, null, "Default", "Unmasked"),
                Arbitraries.of(false, true)).as((name, privileged, uid, readOnly, add, hostPort, procMount, mountLogs) -> {
                    ObjectNode c = Json.mapper().createObjectNode().put("name", name).put("image", "x");
                    ObjectNode sc = c.putObject("securityContext");
                    if (privileged != null) {
                        sc.put("privileged", privileged);
                    }
                    if (uid != null) {
                        sc.put("runAsUser", uid);
                    }
                    if (readOnly != null) {
                        sc.put("readOnlyRootFilesystem", readOnly);
                    }
                    if (add != null) {
                        ArrayNode a = sc.putObject("capabilities").putArray("add");
                        add.forEach(x -> a.add(x));
                    }
                    if (procMount != null) {
                        sc.put("procMount", procMount);
                    }
                    if (hostPort != null) {
                        c.putArray("ports").addObject().put("containerPort", 80).put("hostPort", hostPort);
                    }
                    if (mountLogs) {
                        c.putArray("volumeMounts").addObject().put("name", "logs").put("mountPath", "/logs").put("readOnly", true);
                    }
                    return c;
                });
        return Combinators.combine(
                container.list().ofMinSize(1).ofMaxSize(2).uniqueElements(c -> c.get("name").asString()),
                Arbitraries.of(false, false, false, true),
                Arbitraries.of(null, null, 0L, 7L, 100L),
                Arbitraries.of(null, null, "RuntimeDefault", "Unconfined"),
                Arbitraries.of(null, null, null, "gvisor", "runc"),
                Arbitraries.of(null, null, null, "/var/log/pods", "/etc")).as((containers, hostNetwork, fsGroup, seccomp, runtimeClass, hostPath) -> {
                    ObjectNode pod = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
                    pod.putObject("metadata").put("name", "p").put("namespace", "default");
                    ObjectNode spec = pod.putObject("spec");
                    if (hostNetwork) {
                        spec.put("hostNetwork", true);
                    }
                    ObjectNode sc = spec.putObject("securityContext");
                    if (fsGroup != null) {
                        sc.put("fsGroup", fsGroup);
                    }
                    if (seccomp != null) {
                        sc.putObject("seccompProfile").put("type", seccomp);
                    }
                    if (runtimeClass != null) {
                        spec.put("runtimeClassName", runtimeClass);
                    }
                    spec.putArray("containers").addAll(containers);
                    ArrayNode volumes = spec.putArray("volumes");
                    if (hostPath != null) {
                        volumes.addObject().put("name", "logs").putObject("hostPath").put("path", hostPath);
                    } else {
                        volumes.addObject().put("name", "logs").putObject("emptyDir");
                    }
                    return pod;
                });
    }

    @Property(tries = 250)
    void whatAPolicyDefaultedItAdmitsUnchangedOnValidation(@ForAll("policies") List<PspProvider> policies, @ForAll("pods") ObjectNode object) {
        PodObject pod = podObject(object);
        PspDecision mutate = PspEngine.admit(policies, pod, true);
        Statistics.label("outcome").collect(!mutate.allowed() ? "refused" : mutate.mutated() ? "admitted after defaults" : "admitted as is");
        if (!mutate.allowed()) {
            assertThat(mutate.errors()).isNotEmpty();
            assertThat(PspEngine.admit(policies, pod, false).allowed()).isFalse();
            return;
        }
        ObjectNode created = (ObjectNode) JsonPatch.apply(mutate.patch(), object);
        PspDecision validate = PspEngine.admit(policies, podObject(created), false);
        assertThat(validate.allowed()).as("errors: %s", validate.errors()).isTrue();
        assertThat(validate.policy()).isEqualTo(mutate.policy());
        assertThat(validate.mutated()).isFalse();
    }
}
