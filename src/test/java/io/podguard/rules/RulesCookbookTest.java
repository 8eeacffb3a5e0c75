package io.podguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.Main;
import io.podguard.server.WebhookServerTestSupport;
import io.podguard.testing.Reviews;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The ten rules of docs/rules.md (docs/examples/rules-cookbook.yaml): a pod that keeps all of
 * them, and for each rule a pod that breaks it alone, judged by {@code podguard check},
 * {@code podguard review} and the HTTPS server; all three give the same verdict and message.
 */
class RulesCookbookTest extends WebhookServerTestSupport {

    static final Path POLICY = Path.of("docs/examples/rules-cookbook.yaml").toAbsolutePath();

    @DynamicPropertySource
    static void policy(DynamicPropertyRegistry registry) {
        registry.add("podguard.policy-file", POLICY::toString);
    }

    /** A pod that keeps every rule of the cookbook. */
    static final String GOOD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"team":"payments","env":"production"}},
             "spec":{"serviceAccountName":"web",
              "containers":[{"name":"app","image":"registry.example.com/shop/web:1.4.2","imagePullPolicy":"Always",
                "ports":[{"containerPort":8080}],
                "env":[{"name":"MODE","value":"prod"}],
                "resources":{"requests":{"cpu":"100m"},"limits":{"memory":"256Mi"}},
                "readinessProbe":{"httpGet":{"path":"/ready","port":8080}},
                "livenessProbe":{"httpGet":{"path":"/live","port":8080}}}]}}""";

    /** Per rule: how to break it, and the denial it then gives. */
    static final Map<String, Case> CASES = new LinkedHashMap<>();

    record Case(UnaryOperator<String> breakIt, String message) {
    }

    static {
        CASES.put("allowed-registries", new Case(p -> p.replace("registry.example.com/shop/web:1.4.2", "docker.io/library/web:1.4.2"),
                "images must come from registry.example.com/ or ghcr.io/example/, not docker.io/library/web:1.4.2"));
        CASES.put("no-latest", new Case(p -> p.replace("web:1.4.2", "web:latest"),
                "images must have a tag other than latest: app"));
        CASES.put("team-label", new Case(p -> p.replace("\"team\":\"payments\"", "\"team\":\"Payments Team\""),
                "pods need a team label (a DNS label, like payments)"));
        CASES.put("probes-in-production", new Case(p -> p.replace(",\n    \"livenessProbe\":{\"httpGet\":{\"path\":\"/live\",\"port\":8080}}", "")
                .replace(",\"livenessProbe\":{\"httpGet\":{\"path\":\"/live\",\"port\":8080}}", ""),
                "containers without readiness and liveness probes: app"));
        CASES.put("no-host-aliases", new Case(p -> p.replace("\"serviceAccountName\":\"web\",", "\"serviceAccountName\":\"web\",\"hostAliases\":[{\"ip\":\"10.0.0.1\",\"hostnames\":[\"db\"]}],"),
                "hostAliases are not allowed; use DNS"));
        CASES.put("pull-always", new Case(p -> p.replace("\"imagePullPolicy\":\"Always\"", "\"imagePullPolicy\":\"IfNotPresent\""),
                "images not pinned by digest need imagePullPolicy Always"));
        CASES.put("memory-limits", new Case(p -> p.replace("256Mi", "4Gi"),
                "every container needs a memory limit of at most 2Gi"));
        CASES.put("cpu-requests", new Case(p -> p.replace("\"requests\":{\"cpu\":\"100m\"},", ""),
                "containers without a cpu request: app"));
        CASES.put("own-service-account", new Case(p -> p.replace("\"serviceAccountName\":\"web\",", ""),
                "pods run as a service account of their own, not default"));
        CASES.put("no-secrets-in-env", new Case(p -> p.replace("{\"name\":\"MODE\",\"value\":\"prod\"}",
                "{\"name\":\"TOKEN\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"t\",\"key\":\"k\"}}}"),
                "read secrets from a volume, not from environment variables"));
    }

    @Test
    void cookbookHasTenRulesEachWithACase() throws Exception {
        String yaml = Files.readString(POLICY);
        assertThat(CASES).hasSize(10);
        for (String id : CASES.keySet()) {
            assertThat(yaml).contains("- id: " + id + "\n");
        }
    }

    @Test
    void goodPodWhenJudgedByCheckReviewAndServerThenAllowedByEach() throws Exception {
        assertThat(check(GOOD)).isEqualTo("allowed");
        assertThat(review(GOOD).get("allowed").asBoolean()).isTrue();
        assertThat(server(GOOD).get("allowed").asBoolean()).isTrue();
    }

    @Test
    void eachBrokenRuleWhenJudgedByCheckReviewAndServerThenSameDenial() throws Exception {
        for (Map.Entry<String, Case> c : CASES.entrySet()) {
            String pod = c.getValue().breakIt().apply(GOOD);
            assertThat(pod).as(c.getKey() + " changes the pod").isNotEqualTo(GOOD);
            String denial = "violates rule \"" + c.getKey() + "\": " + c.getValue().message();
            assertThat(check(pod)).as(c.getKey() + " by check").isEqualTo("denied: " + c.getKey() + ": spec: rule \""
                    + c.getKey() + "\" (" + c.getValue().message() + ")");
            JsonNode byReview = review(pod);
            assertThat(byReview.get("allowed").asBoolean()).as(c.getKey() + " by review").isFalse();
            assertThat(byReview.at("/status/message").asString()).as(c.getKey() + " by review").isEqualTo(denial);
            JsonNode byServer = server(pod);
            assertThat(byServer.get("allowed").asBoolean()).as(c.getKey() + " by the server").isFalse();
            assertThat(byServer.at("/status/message").asString()).as(c.getKey() + " by the server").isEqualTo(denial);
        }
    }

    /** {@code podguard check}'s verdict line for the pod, without the file and object name. */
    private static String check(String podJson) throws Exception {
        Path file = Files.createTempFile("pod", ".json");
        try {
            Files.writeString(file, podJson);
            StringWriter out = new StringWriter();
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(new StringWriter()));
            int exit = cli.execute("check", "--policy", POLICY.toString(), file.toString());
            String first = out.toString().lines().findFirst().orElseThrow();
            String verdict = first.substring(first.indexOf("Pod shop/web: ") + "Pod shop/web: ".length());
            assertThat(exit).isEqualTo(verdict.startsWith("allowed") ? 0 : 1);
            return verdict;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code podguard review}'s response to a create of the pod. */
    private static JsonNode review(String podJson) {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(Reviews.create(podJson).getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute("review", "--policy", POLICY.toString());
            assertThat(code).isZero();
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        // System.out is the JVM's: a log line of this class's server thread may land in it too.
        // The review's answer is the one line that is a JSON object.
        return Reviews.response(o.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("{")).reduce((first, last) -> last).orElse(""));
    }

    private JsonNode server(String podJson) throws Exception {
        var resp = post("/validate", Reviews.create(podJson));
        assertThat(resp.statusCode()).isEqualTo(200);
        return Reviews.response(resp.body());
    }
}
