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
import io.podguard.engine.rules.AuditAnnotationKeys;
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

    /**
     * What one side answered: allowed, the denial's status code, reason and message, the
     * warnings, and the audit annotations the ValidatingAdmissionPolicies recorded, under the
     * apiserver's keys ({@code validation.policy.admission.k8s.io/validation_failure},
     * {@code POLICY/KEY}; podguard's {@code validation_failure} and {@code POLICY_KEY} mapped to them).
     */
    record Verdict(boolean allowed, int code, String reason, String message, List<String> warnings, Map<String, String> annotations) {

        /**
         * The apiserver runs its policies and their bindings in no defined order (it ranges over
         * Go maps), so the order of warnings is not compared: sorted. (The Audit failures of the
         * cases all come from one binding, in order, and are compared as written.)
         */
        Verdict {
            warnings = warnings.stream().sorted().toList();
            annotations = new java.util.TreeMap<>(annotations);
        }
    }

    /** A pod to create in both places, and what shows that the apiserver enforces the bindings it needs. */
    record Case(String name, String pod, java.util.function.Predicate<Verdict> acted) {
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
        String reasons = Namespaces.create(client, "vap-reasons", Map.of("podguard-e2e-vap", "on", "env", "reasons"));
        String messages = Namespaces.create(client, "vap-messages", Map.of("podguard-e2e-vap", "on", "env", "messages"));
        String audit = Namespaces.create(client, "vap-audit", Map.of("podguard-e2e-vap", "on", "env", "audit"));
        String annotationError = Namespaces.create(client, "vap-annotation-error", Map.of("podguard-e2e-vap", "on", "env", "annotation-error"));
        String match = Namespaces.create(client, "vap-match", Map.of("podguard-e2e-vap", "on", "env", "match"));
        String cost = Namespaces.create(client, "vap-cost", Map.of("podguard-e2e-vap", "on", "env", "cost"));
        String budget = Namespaces.create(client, "vap-budget", Map.of("podguard-e2e-vap", "on", "env", "budget"));
        for (HasMetadata o : client.load(Files.newInputStream(FILE)).items()) {
            CREATED.add(client.resource(o).create());
        }
        Policy policy = PolicyLoader.parse(Files.readString(FILE));
        PolicyResolver resolver = new ConfiguredPolicyResolver(policy,
                ns -> client.namespaces().withName(ns).get().getMetadata().getLabels(), Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE);
        AdmissionHandler podguard = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);

        java.util.function.Predicate<Verdict> denied = v -> !v.allowed();
        java.util.function.Predicate<Verdict> any = v -> true;
        String team = "{\"team\":\"a\"}";
        List<Case> cases = List.of(
                new Case("compliant", pod(prod, "ok", team, "", "nginx:1.27", true), any),
                new Case("latest in prod", pod(prod, "latest", team, "", "nginx:latest", true), denied),
                new Case("latest in dev", pod(dev, "latest", team, "", "nginx:latest", true), v -> v.warnings().size() == 1),
                new Case("no team, no limits", pod(dev, "noteam", "{}", "", "nginx:1.27", false), v -> v.warnings().size() == 2),
                new Case("no team, exempt", pod(dev, "exempt", "{}", "\"annotations\":{\"pg-e2e/exempt\":\"yes\"},", "nginx:1.27", false), any),
                new Case("latest, no team, no limits in prod", pod(prod, "two", "{}", "", "nginx:latest", false), any),
                new Case("expression fails in strict", pod(strict, "strict", team, "", "nginx:1.27", true), denied),
                new Case("no team in strict", pod(strict, "strict2", "{}", "", "nginx:1.27", true), any),
                new Case("reason Forbidden", pod(reasons, "forbid", "{\"team\":\"a\",\"forbid\":\"x\"}", "", "nginx:1", true), denied),
                new Case("reason RequestEntityTooLarge", pod(reasons, "big", "{\"team\":\"a\",\"big\":\"x\"}", "", "nginx:1", true), denied),
                new Case("no reason: Invalid", pod(reasons, "plain", "{\"team\":\"a\",\"plain\":\"x\"}", "", "nginx:1", true), denied),
                new Case("reason Invalid, no message", pod(reasons, "invalid", "{\"team\":\"a\",\"invalid\":\"x\"}", "", "nginx:1", true), denied),
                new Case("three reasons: the first", pod(reasons, "all", "{\"big\":\"x\",\"plain\":\"x\",\"forbid\":\"x\"}", "", "nginx:1", true),
                        denied),
                new Case("message expressions and their fallbacks", pod(messages, "msg", "{\"team\":\"a\",\"m\":\"on\"}", "", "nginx:1", true),
                        v -> v.warnings().stream().anyMatch(w -> w.contains("pg-e2e-messages"))),
                new Case("audit: two failures and annotations", pod(audit, "audited", "{}", "", "nginx:latest", true),
                        v -> v.warnings().stream().anyMatch(w -> w.contains("pg-e2e-audit"))),
                new Case("audit: annotations only", pod(audit, "clean", team, "", "nginx:1.27", true), any),
                new Case("audit annotation fails closed", pod(annotationError, "noowner", team, "", "nginx:1", true), denied),
                new Case("audit annotation recorded", pod(annotationError, "owned", team, "\"annotations\":{\"owner\":\" ops \"},", "nginx:1", true),
                        any),
                new Case("match conditions fail", pod(match, "nomatch", team, "", "nginx:1", true), denied),
                new Case("match conditions fail, one false", pod(match, "skipped", "{\"team\":\"a\",\"skip\":\"yes\"}", "", "nginx:1", true), any),
                new Case("per-expression cost limit", pod(cost, "expr", "{\"team\":\"a\",\"cost\":\"expression\"}", "", "nginx:1", true), denied),
                new Case("per-expression cost limit in a variable", pod(cost, "var", "{\"team\":\"a\",\"cost\":\"variable\"}", "", "nginx:1", true),
                        denied),
                new Case("binding's cost budget", pod(budget, "budget", team, "", "nginx:1", true), denied));

        // bindings take effect a moment after they are created: wait until each one acts
        for (Case c : cases) {
            await(c.pod(), c.acted());
        }
        List<String> differences = new ArrayList<>();
        for (Case c : cases) {
            Verdict apiserver = apiserver(c.pod());
            Verdict ours = podguard(podguard, c.pod());
            if (!apiserver.equals(ours)) {
                differences.add(c.name() + "\n  apiserver: " + apiserver + "\n  podguard:  " + ours);
            }
        }
        assertThat(differences).as("verdicts, statuses, messages, warnings and audit annotations that differ").isEmpty();
        // the cases judge something: denials with each status, warnings, audit records
        assertThat(apiserver(cases.get(1).pod()).allowed()).isFalse();
        assertThat(apiserver(cases.get(2).pod()).warnings()).isNotEmpty();
        assertThat(cases.subList(8, 12).stream().map(c -> apiserver(c.pod()).code()).toList()).containsExactly(403, 413, 422, 422);
        assertThat(apiserver(cases.get(14).pod()).annotations()).containsKeys(FAILURE_KEY, "pg-e2e-audit/images", "pg-e2e-audit/container-count")
                .doesNotContainKeys("pg-e2e-audit/nothing", "pg-e2e-audit/blank");
    }

    private static final String FAILURE_KEY = "validation.policy.admission.k8s.io/validation_failure";

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
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Verdict answer;
        try {
            withWarnings.pods().inNamespace(ns).resource(pod).dryRun().create();
            answer = new Verdict(true, 0, "", null, List.copyOf(warnings), Map.of());
        } catch (KubernetesClientException e) {
            String message = e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
            // the apiserver says whose request it refused; podguard's message is what follows
            String prefix = "pods \"" + name + "\" is forbidden: ";
            answer = new Verdict(false, e.getCode(), e.getStatus() == null ? "" : e.getStatus().getReason(),
                    message.startsWith(prefix) ? message.substring(prefix.length()) : message, List.of(), Map.of());
        }
        // what the policies recorded, from the audit log's event of this very request
        Verdict said = answer;
        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, name)
                .orElseThrow(() -> new AssertionError("no audit event for the creation of pod " + ns + "/" + name + ": " + said));
        Map<String, String> annotations = new java.util.TreeMap<>();
        event.path("annotations").properties().forEach(a -> {
            if (a.getKey().equals(FAILURE_KEY) || a.getKey().startsWith("pg-e2e-")) {
                annotations.put(a.getKey(), a.getValue().asString());
            }
        });
        return new Verdict(answer.allowed(), answer.code(), answer.reason(), answer.message(), answer.warnings(), annotations);
    }

    private static Verdict podguard(AdmissionHandler handler, String podJson) throws Exception {
        byte[] out = handler.handle(Endpoint.VALIDATE, Reviews.review("admission.k8s.io/v1", "CREATE", podJson, true)
                .getBytes(StandardCharsets.UTF_8));
        JsonNode r = Reviews.response(out);
        List<String> warnings = new ArrayList<>();
        r.path("warnings").forEach(w -> warnings.add(w.asString()));
        boolean allowed = r.get("allowed").asBoolean();
        Map<String, String> annotations = new java.util.TreeMap<>();
        r.path("auditAnnotations").properties().forEach(a -> {
            if (a.getKey().equals(AuditAnnotationKeys.VALIDATION_FAILURE)) {
                annotations.put(FAILURE_KEY, a.getValue().asString());
            } else if (a.getKey().startsWith("pg-e2e-")) {
                // POLICY_KEY is the apiserver's POLICY/KEY: a policy's name holds no '_'
                annotations.put(a.getKey().replaceFirst("_", "/"), a.getValue().asString());
            }
        });
        return new Verdict(allowed, allowed ? 0 : r.at("/status/code").asInt(), allowed ? "" : r.at("/status/reason").asString(),
                allowed ? null : r.at("/status/message").asString(), List.copyOf(warnings), annotations);
    }
}
