package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * ValidatingAdmissionPolicies with their bindings (Deny, Warn, Audit; variables, match
 * conditions, messageExpression, namespaceSelector, an expression that fails) loaded into the
 * real kube-apiserver and into podguard from the same file; the same pods created with
 * {@code dryRun=All} against the apiserver and reviewed by podguard's admission handler. The
 * verdicts, the denial messages and the warnings must agree.
 */
class AdmissionPolicyDifferentialIT extends ClusterTest {

    private static final Path FILE = Path.of("src/test/resources/rules/vap-differential.yaml");
    private static final List<HasMetadata> CREATED = new ArrayList<>();

    record Verdict(boolean allowed, String message, List<String> warnings) {
    }

    @AfterAll
    static void removePolicies() {
        for (HasMetadata o : CREATED) {
            client.resource(o).delete();
        }
    }

    @Test
    void podguardJudgesThePoliciesAsTheApiserverDoes() throws Exception {
        String prod = Namespaces.create(client, "vap-prod", Map.of("podguard-e2e-vap", "on", "env", "prod"));
        String dev = Namespaces.create(client, "vap-dev", Map.of("podguard-e2e-vap", "on", "env", "dev"));
        String strict = Namespaces.create(client, "vap-strict", Map.of("podguard-e2e-vap", "on", "env", "strict"));
        for (HasMetadata o : client.load(Files.newInputStream(FILE)).items()) {
            CREATED.add(client.resource(o).create());
        }
        Policy policy = PolicyLoader.parse(Files.readString(FILE));
        PolicyResolver resolver = new ConfiguredPolicyResolver(policy,
                ns -> client.namespaces().withName(ns).get().getMetadata().getLabels(), Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE);
        AdmissionHandler podguard = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);

        Map<String, String> pods = new LinkedHashMap<>();
        pods.put("compliant", pod(prod, "ok", "{\"team\":\"a\"}", "", "nginx:1.27", true));
        pods.put("latest in prod", pod(prod, "latest", "{\"team\":\"a\"}", "", "nginx:latest", true));
        pods.put("latest in dev", pod(dev, "latest", "{\"team\":\"a\"}", "", "nginx:latest", true));
        pods.put("no team, no limits", pod(dev, "noteam", "{}", "", "nginx:1.27", false));
        pods.put("no team, exempt", pod(dev, "exempt", "{}", "\"annotations\":{\"pg-e2e/exempt\":\"yes\"},", "nginx:1.27", false));
        pods.put("latest, no team, no limits in prod", pod(prod, "two", "{}", "", "nginx:latest", false));
        pods.put("expression fails in strict", pod(strict, "strict", "{\"team\":\"a\"}", "", "nginx:1.27", true));
        pods.put("no team in strict", pod(strict, "strict2", "{}", "", "nginx:1.27", true));

        // bindings take effect a moment after they are created: wait until each one acts
        await(pods.get("latest in prod"), v -> !v.allowed());
        await(pods.get("expression fails in strict"), v -> !v.allowed());
        await(pods.get("latest in dev"), v -> v.warnings().size() == 1);
        await(pods.get("no team, no limits"), v -> v.warnings().size() == 2);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> c : pods.entrySet()) {
            Verdict apiserver = apiserver(c.getValue());
            Verdict ours = podguard(podguard, c.getValue());
            if (!apiserver.equals(ours)) {
                differences.add(c.getKey() + "\n  apiserver: " + apiserver + "\n  podguard:  " + ours);
            }
        }
        assertThat(differences).as("verdicts, messages and warnings that differ").isEmpty();
        // the cases judge something: at least one denial and one warning each way
        assertThat(apiserver(pods.get("latest in prod")).allowed()).isFalse();
        assertThat(apiserver(pods.get("latest in dev")).warnings()).isNotEmpty();
    }

    private static String pod(String ns, String name, String labels, String extraMeta, String image, boolean limits) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"," + extraMeta
                + "\"labels\":" + labels + "},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\""
                + (limits ? ",\"resources\":{\"limits\":{\"memory\":\"64Mi\"}}" : "") + "}]}}";
    }

    private static void await(String podJson, java.util.function.Predicate<Verdict> acted) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!acted.test(apiserver(podJson))) {
            assertThat(Instant.now()).as("the apiserver never enforced the bindings").isBefore(deadline);
            Thread.sleep(250);
        }
    }

    private static Verdict apiserver(String podJson) {
        List<String> warnings = new ArrayList<>();
        KubernetesClient withWarnings = cluster.clientWithWarnings(warnings);
        Pod pod = Json.mapper().readValue(podJson, Pod.class);
        try {
            withWarnings.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).dryRun().create();
            return new Verdict(true, null, List.copyOf(warnings));
        } catch (KubernetesClientException e) {
            String message = e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
            // the apiserver says whose request it refused; podguard's message is what follows
            String prefix = "pods \"" + pod.getMetadata().getName() + "\" is forbidden: ";
            return new Verdict(false, message.startsWith(prefix) ? message.substring(prefix.length()) : message, List.of());
        }
    }

    private static Verdict podguard(AdmissionHandler handler, String podJson) throws Exception {
        byte[] out = handler.handle(Endpoint.VALIDATE, Reviews.review("admission.k8s.io/v1", "CREATE", podJson, true)
                .getBytes(StandardCharsets.UTF_8));
        JsonNode r = Reviews.response(out);
        List<String> warnings = new ArrayList<>();
        r.path("warnings").forEach(w -> warnings.add(w.asString()));
        boolean allowed = r.get("allowed").asBoolean();
        return new Verdict(allowed, allowed ? null : r.at("/status/message").asString(), List.copyOf(warnings));
    }
}
