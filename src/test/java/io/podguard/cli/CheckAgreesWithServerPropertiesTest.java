package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.defaults.PodArbitraries;
import io.podguard.engine.EffectivePolicy;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.engine.RequestInfo;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generated pods and workloads (random container kinds, securityContexts, volumes, host
 * namespaces, sysctls, probes, unknown fields) at random levels and versions: no exception
 * escapes, verdicts are deterministic, and {@code podguard check} gives the verdict the server
 * gives for the same object.
 */
class CheckAgreesWithServerPropertiesTest {

    private static final List<String> KINDS = List.of("Pod", "Deployment", "CronJob", "Job", "DaemonSet");

    @Property(tries = 120)
    void checkVerdictEqualsServerVerdict(@ForAll("objects") ObjectNode object, @ForAll("levels") String level,
                                        @ForAll("versions") String version) throws Exception {
        String policyYaml = "mode: enforce\npodSecurity:\n  level: " + level + "\n  version: " + version + "\ndefaults:\n  enabled: false\n";
        Policy policy = PolicyLoader.parse(policyYaml);
        PolicyResolver resolver = PolicyResolver.fixed(policy);
        String kind = object.path("kind").asString();

        // The engine: no exception, and the same verdict twice.
        PodObject pod = PodExtractor.extract(kind, object).orElseThrow();
        EffectivePolicy effective = resolver.resolve(RequestInfo.offline("default"), pod);
        assertThat(io.podguard.testing.Judging.evaluate(pod, effective)).isEqualTo(io.podguard.testing.Judging.evaluate(pod, effective));

        // The server's code path.
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
        JsonNode response = Reviews.response(handler.handle(Endpoint.VALIDATE,
                Reviews.create(Json.mapper().writeValueAsString(object)).getBytes(StandardCharsets.UTF_8)));
        boolean serverDenies = "Pod".equals(kind)
                ? !response.path("allowed").asBoolean()
                : response.path("warnings").size() > 0;
        assertThat(response.path("allowed").asBoolean()).isEqualTo(!"Pod".equals(kind) || !serverDenies);

        // The CLI, through a file, as a user runs it.
        Path dir = Files.createTempDirectory("podguard-check-property");
        try {
            Path policyFile = Files.writeString(dir.resolve("policy.yaml"), policyYaml);
            Path manifest = Files.writeString(dir.resolve("object.json"), Json.mapper().writeValueAsString(object));
            ReviewCommandTest.Run run = ReviewCommandTest.run("", "check", "--policy", policyFile.toString(), "-o", "json", manifest.toString());
            assertThat(run.code()).as(run.err()).isIn(0, 1);
            JsonNode results = Json.mapper().readTree(run.out());
            assertThat(results.size()).isEqualTo(1);
            JsonNode result = results.get(0);
            assertThat(result.path("allowed").asBoolean()).as("check says allowed; server denies=%s", serverDenies).isEqualTo(!serverDenies);
            assertThat(run.code()).isEqualTo(serverDenies ? 1 : 0);
            if ("Pod".equals(kind) && serverDenies) {
                String message = response.path("status").path("message").asString();
                for (JsonNode violation : result.path("violations")) {
                    assertThat(message).contains(violation.path("message").asString());
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Provide
    Arbitrary<String> levels() {
        return Arbitraries.of("privileged", "baseline", "restricted");
    }

    @Provide
    Arbitrary<String> versions() {
        return Arbitraries.of("latest", "v1.0", "v1.19", "v1.22", "v1.25", "v1.31", "v1.35", "v1.37");
    }

    @Provide
    Arbitrary<ObjectNode> objects() {
        Arbitrary<ObjectNode> pods = Combinators.combine(PodArbitraries.pods(), hostFields(), volumes(), sysctls())
                .as((pod, host, volumes, sysctls) -> {
                    ObjectNode spec = (ObjectNode) pod.path("spec");
                    host.forEach(h -> spec.put(h, true));
                    if (!volumes.isEmpty()) {
                        volumes.forEach(spec.withArrayProperty("volumes")::add);
                    }
                    if (!sysctls.isEmpty()) {
                        ObjectNode sc = spec.withObjectProperty("securityContext");
                        sysctls.forEach(name -> sc.withArrayProperty("sysctls").addObject().put("name", name).put("value", "1"));
                    }
                    return pod;
                });
        return Combinators.combine(pods, Arbitraries.of(KINDS)).as(CheckAgreesWithServerPropertiesTest::wrap);
    }

    private static ObjectNode wrap(ObjectNode pod, String kind) {
        if ("Pod".equals(kind)) {
            ((ObjectNode) pod.path("metadata")).put("namespace", "default");
            return pod;
        }
        ObjectNode template = Json.mapper().createObjectNode();
        template.set("metadata", pod.path("metadata"));
        template.set("spec", pod.path("spec"));
        ObjectNode object = Json.mapper().createObjectNode();
        object.put("apiVersion", switch (kind) {
            case "CronJob", "Job" -> "batch/v1";
            default -> "apps/v1";
        });
        object.put("kind", kind);
        object.putObject("metadata").put("name", "w").put("namespace", "default");
        ObjectNode spec = object.putObject("spec");
        if ("CronJob".equals(kind)) {
            spec.put("schedule", "* * * * *");
            spec.putObject("jobTemplate").putObject("spec").set("template", template);
        } else {
            spec.set("template", template);
        }
        return object;
    }

    private static Arbitrary<List<String>> hostFields() {
        return Arbitraries.subsetOf("hostNetwork", "hostPID", "hostIPC").map(ArrayList::new);
    }

    private static Arbitrary<List<ObjectNode>> volumes() {
        return Arbitraries.of(
                "{\"name\":\"a\",\"emptyDir\":{}}",
                "{\"name\":\"b\",\"hostPath\":{\"path\":\"/var/log\"}}",
                "{\"name\":\"c\",\"configMap\":{\"name\":\"x\"}}",
                "{\"name\":\"d\",\"futureSource\":{\"x\":1}}",
                "{\"name\":\"e\",\"nfs\":{\"server\":\"s\",\"path\":\"/\"}}")
                .map(json -> (ObjectNode) Json.mapper().readTree(json))
                .list().uniqueElements(v -> v.path("name").asString()).ofMaxSize(3);
    }

    private static Arbitrary<List<String>> sysctls() {
        return Arbitraries.subsetOf("kernel.shm_rmid_forced", "net.ipv4.ip_unprivileged_port_start", "kernel.msgmax",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_notsent_lowat").map(ArrayList::new);
    }
}
