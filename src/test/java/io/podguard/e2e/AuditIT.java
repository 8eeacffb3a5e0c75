package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import io.podguard.engine.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code podguard audit} against the real apiserver reports exactly the pods the webhook would
 * deny, with the same message, under a policy with exemptions (a namespace, an image, a check),
 * resource rules, placement (a default node selector, nodeName forbidden) and a PodSecurityPolicy. The pods are created before podguard is registered,
 * as in a cluster podguard is about to be installed in; then each is created again (a copy)
 * through the registered webhooks, and the answers compared pod by pod.
 */
class AuditIT extends ClusterTest {

    static final String POLICY = """
            apiVersion: podguard.io/v1alpha1
            kind: PodGuardPolicy
            mode: enforce
            podSecurity: {level: baseline, version: latest}
            defaults: {enabled: true}
            resources:
              max: {memory: 1Gi}
            placement:
              nodeSelector: {default: {pool: general}}
              nodeName: {}
            exemptions:
              - reason: the break-glass namespace of the audit test
                namespaces: ["audit-exempt-*"]
              - reason: the sidecar needs privileges until the CNI plugin lands
                images: ["registry.example/sidecar:*"]
                checks: [privileged]
              - reason: host ports are reviewed by the network team
                checks: [hostPorts]
            ---
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata:
              name: no-network-volumes
              # podguard's own default sets seccompProfile RuntimeDefault: the PSP must allow it.
              annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default}
            spec:
              privileged: true
              allowPrivilegeEscalation: true
              allowedCapabilities: ['*']
              volumes: [configMap, emptyDir, secret, projected, downwardAPI, persistentVolumeClaim, hostPath]
              hostNetwork: true
              hostIPC: true
              hostPID: true
              hostPorts: [{min: 0, max: 65535}]
              runAsUser: {rule: RunAsAny}
              seLinux: {rule: RunAsAny}
              supplementalGroups: {rule: RunAsAny}
              fsGroup: {rule: RunAsAny}
            """;

    private static Podguard podguard;

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
        if (podguard != null) {
            podguard.stop();
        }
    }

    private static Pod pod(String name, String spec) {
        return Json.serialization().unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":%s}""".formatted(name, spec), Pod.class);
    }

    @Test
    void auditWhenPodsRunBeforeInstallThenExactlyThePodsAndMessagesTheWebhookDenies() throws Exception {
        WebhookConfigurations.delete(client);
        String ns = Namespaces.create(client, "audit");
        String exempt = Namespaces.create(client, "audit-exempt");
        Map<String, Pod> pods = new TreeMap<>();
        pods.put("plain", pod("plain", "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}"));
        pods.put("privileged", pod("privileged", "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\",\"securityContext\":{\"privileged\":true}}]}"));
        pods.put("sidecar", pod("sidecar", "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"},"
                + "{\"name\":\"mesh\",\"image\":\"registry.example/sidecar:1\",\"securityContext\":{\"privileged\":true}}]}"));
        pods.put("hostport", pod("hostport", "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080}]}]}"));
        pods.put("big", pod("big", "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\",\"resources\":{\"limits\":{\"memory\":\"2Gi\"}}}]}"));
        pods.put("nfs", pod("nfs", "{\"volumes\":[{\"name\":\"data\",\"nfs\":{\"server\":\"nfs.example\",\"path\":\"/\"}}],"
                + "\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}"));
        pods.put("hostnet", pod("hostnet", "{\"hostNetwork\":true,\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}"));
        // No kubelet runs here: the pod stays as created, its node named by its creator.
        pods.put("pinned", pod("pinned", "{\"nodeName\":\"worker-1\",\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}"));
        pods.put("gpu", pod("gpu", "{\"nodeSelector\":{\"pool\":\"gpu\"},\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}"));
        for (Pod p : pods.values()) {
            client.pods().inNamespace(ns).resource(p).create();
        }
        client.pods().inNamespace(exempt).resource(pod("privileged", "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\","
                + "\"securityContext\":{\"privileged\":true}}]}")).create();

        // podguard audit, before podguard is installed.
        Path dir = Files.createTempDirectory(Cluster.REPO.resolve("target"), "e2e-audit-");
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        JsonNode report = audit(dir, policy, ns);
        JsonNode exemptReport = audit(dir, policy, exempt);
        Map<String, String> audited = new TreeMap<>();
        for (JsonNode denied : report.at("/namespaces/" + ns + "/deniedPods")) {
            audited.put(denied.get("name").asString(), denied.get("message").asString());
        }

        // The webhook's answer for each pod, created again as it is stored.
        podguard = Podguard.start("audit", POLICY);
        WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
        Map<String, String> webhook = new TreeMap<>();
        for (String name : pods.keySet()) {
            Pod stored = client.pods().inNamespace(ns).withName(name).get();
            Pod again = new PodBuilder(stored).withMetadata(new ObjectMeta()).withStatus(null).editMetadata()
                    .withName(name + "-again").withNamespace(ns).endMetadata().build();
            try {
                client.pods().inNamespace(ns).resource(again).dryRun().create();
            } catch (KubernetesClientException e) {
                assertThat(e.getCode()).as("%s: %s", name, e.getMessage()).isEqualTo(403);
                String message = e.getStatus().getMessage();
                String prefix = "admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK + "\" denied the request: ";
                assertThat(message).startsWith(prefix);
                webhook.put(name, message.substring(prefix.length()));
            }
        }

        assertThat(audited).isEqualTo(webhook);
        assertThat(audited.keySet()).containsExactly("big", "gpu", "hostnet", "nfs", "pinned", "privileged");
        assertThat(audited.get("privileged")).isEqualTo("violates PodSecurity \"baseline:latest\": "
                + "privileged (container \"app\" must not set securityContext.privileged=true)");
        // As LimitRanger: the limit above the maximum is named (the request the apiserver copied from it would be next).
        assertThat(audited.get("big")).isEqualTo("violates resource rules: resources above maximum "
                + "(container \"app\": maximum memory usage per Container is 1Gi, but limit is 2Gi)");
        assertThat(audited.get("nfs")).startsWith("PodSecurityPolicy: unable to validate pod: [spec.volumes[");
        assertThat(audited.get("pinned")).isEqualTo("violates placement rules: nodeName "
                + "(pod must not set spec.nodeName=\"worker-1\": it bypasses the scheduler and every node taint)");
        assertThat(audited.get("gpu")).isEqualTo("pod node label selector conflicts with its namespace node label selector");
        assertThat(report.at("/totals/wouldBeDenied").asInt()).isEqualTo(6);
        assertThat(exemptReport.at("/totals/wouldBeDenied").asInt()).isZero();
        // The exemptions that made a difference are reported with the pods they cover.
        assertThat(report.at("/namespaces/" + ns + "/pods").asInt()).isEqualTo(pods.size());
    }

    private static JsonNode audit(Path dir, Path policy, String namespace) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("audit-" + namespace + ".json");
        Process process = new ProcessBuilder(java, "-jar", Podguard.JAR.toString(), "audit", "--kubeconfig", cluster.kubeconfig().toString(),
                "--policy", policy.toString(), "-n", namespace, "-o", "json")
                .redirectOutput(out.toFile()).redirectError(dir.resolve("audit-" + namespace + ".err").toFile()).start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String err = Files.readString(dir.resolve("audit-" + namespace + ".err"), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(err).isIn(0, 1);
        return Json.mapper().readTree(Files.readString(out, StandardCharsets.UTF_8));
    }
}
