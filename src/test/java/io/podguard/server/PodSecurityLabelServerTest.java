package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.podguard.engine.Json;
import io.podguard.testing.MockKubeconfig;
import io.podguard.testing.Reviews;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code /namespaces/pod-security-labels} through the server: podguard on PSA's configuration,
 * a (mock) apiserver holding a namespace's pods, and a label change that raises its enforce level
 * answered with the pods that would break, in PSA's words; never a denial.
 */
@DirtiesContext
class PodSecurityLabelServerTest extends WebhookServerTestSupport {

    static KubernetesMockServer apiServer;
    static KubernetesClient client;

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) throws Exception {
        apiServer = new KubernetesMockServer(new Context(), new io.fabric8.mockwebserver.MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        apiServer.init();
        client = apiServer.createClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        for (String name : List.of("web-1", "web-2", "db-0")) {
            client.resource(Json.serialization().unmarshal("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"shop"},
                     "spec":{%s"containers":[{"name":"c","image":"i"}]}}""".formatted(name, name.startsWith("db") ? "\"hostPID\":true," : ""),
                    Pod.class)).create();
        }
        Path dir = Files.createTempDirectory("podguard-label-dry-run");
        Path kubeconfig = dir.resolve("kubeconfig");
        MockKubeconfig.write(kubeconfig, client.getConfiguration().getMasterUrl(), "podguard", null);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: pod-security.admission.config.k8s.io/v1
                kind: PodSecurityConfiguration
                defaults: {enforce: privileged, warn: baseline}
                exemptions: {namespaces: [kube-system]}
                """);
        registry.add("podguard.kubeconfig", kubeconfig::toString);
        registry.add("podguard.policy-file", policy::toString);
    }

    @AfterAll
    static void stop() {
        client.close();
        apiServer.destroy();
    }

    private JsonNode change(String name, String before, String after) throws Exception {
        String review = Reviews.review("admission.k8s.io/v1", "UPDATE",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + after + "}}", true)
                .replace("\"namespace\":\"default\",", "")
                .replaceFirst("(\"oldObject\":\\{.*?\"labels\":)\\{[^}]*}", "$1" + before.replace("$", "\\$"));
        HttpResponse<String> resp = post("/namespaces/pod-security-labels", review);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return Reviews.response(resp.body());
    }

    private static List<String> warnings(JsonNode response) {
        List<String> out = new ArrayList<>();
        response.path("warnings").forEach(w -> out.add(w.asString()));
        return out;
    }

    @Test
    void labelChangeWhenItRaisesEnforcementThenThePodsThatWouldBreakInPsaWords() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> getManagement("/readyz").statusCode() == 200);

        JsonNode baseline = change("shop", "{}", "{\"pod-security.kubernetes.io/enforce\":\"baseline\"}");
        JsonNode restricted = change("shop", "{}", "{\"pod-security.kubernetes.io/enforce\":\"restricted\"}");

        assertThat(baseline.path("allowed").asBoolean()).isTrue();
        assertThat(warnings(baseline)).containsExactly(
                "existing pods in namespace \"shop\" violate the new PodSecurity enforce level \"baseline:latest\"",
                "db-0: host namespaces");
        assertThat(warnings(restricted)).containsExactly(
                "existing pods in namespace \"shop\" violate the new PodSecurity enforce level \"restricted:latest\"",
                "db-0: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
                "web-1 (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile");
    }

    @Test
    void labelChangeWhenNothingMoreIsEnforcedOrTheNamespaceIsExemptThenPsaAnswersToo() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> getManagement("/readyz").statusCode() == 200);

        assertThat(warnings(change("shop", "{\"pod-security.kubernetes.io/enforce\":\"baseline\"}",
                "{\"pod-security.kubernetes.io/enforce\":\"baseline\",\"team\":\"a\"}"))).isEmpty();
        assertThat(warnings(change("kube-system", "{}", "{\"pod-security.kubernetes.io/enforce\":\"restricted\"}"))).containsExactly(
                "namespace \"kube-system\" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored");
        JsonNode invalid = change("shop", "{}", "{\"pod-security.kubernetes.io/enforce\":\"strict\"}");
        assertThat(invalid.path("allowed").asBoolean()).isTrue();
        assertThat(warnings(invalid).getFirst()).isEqualTo("Namespace \"shop\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: "
                + "Invalid value: \"strict\": must be one of privileged, baseline, restricted");
    }
}
