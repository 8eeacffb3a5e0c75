package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import io.podguard.Main;
import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * docs/placement.md's worked example, "dedicated GPU nodes for team ml": the policy shown is the
 * example file, every YAML block of the page is a valid policy, the {@code podguard check}
 * transcripts are what the command prints, and the pods go through /mutate and /validate as the
 * apiserver sends them.
 */
class DocsPlacementExampleTest {

    private static final Path DOC = Path.of("docs/placement.md");
    private static final Path EXAMPLE = Path.of("docs/examples/placement");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void policyShownIsTheExampleFileAndEveryYamlBlockIsAValidPolicy() throws IOException {
        List<String> yaml = blocks("yaml");
        assertThat(yaml.getFirst()).isEqualTo(Files.readString(EXAMPLE.resolve("policy.yaml")));
        for (String block : yaml) {
            PolicyLoader.parse(block);
        }
    }

    @Test
    void checkTranscriptIsWhatTheCommandPrints() throws IOException {
        String transcript = transcript("$ podguard check --policy policy.yaml pods.yaml\n");
        Run run = run("check", "--policy", EXAMPLE.resolve("policy.yaml").toString(), EXAMPLE.resolve("pods.yaml").toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out().replace(EXAMPLE.resolve("pods.yaml") + ":", "pods.yaml:")).isEqualTo(transcript);
    }

    @Test
    void configValidateWhenTheExampleThenSummaryNamesEachPartAndItsMode() throws Exception {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "config", "validate", EXAMPLE.resolve("policy.yaml").toString());

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo(EXAMPLE.resolve("policy.yaml") + ": valid: enforce baseline:latest; defaults apply; placement "
                + "tolerations enforce, extendedResourceTolerations enforce, nodeName enforce, nodeLabels enforce, dedicatedNodes warn; "
                + "1 namespace override; 0 exemptions\n");
    }

    @Test
    void patchTranscriptIsTheTrainersNodeSelectorAndTolerations() throws IOException {
        String transcript = transcript("$ podguard check -o json --policy policy.yaml pods.yaml | jq -c");
        Run run = run("check", "-o", "json", "--policy", EXAMPLE.resolve("policy.yaml").toString(), EXAMPLE.resolve("pods.yaml").toString());

        StringBuilder lines = new StringBuilder();
        for (JsonNode op : Json.mapper().readTree(run.out()).get(0).get("patch")) {
            if (op.get("path").asString().matches(".*(nodeSelector|tolerations).*")) {
                lines.append(op).append('\n');
            }
        }
        assertThat(lines.toString()).isEqualTo(transcript);
    }

    @Test
    void podsThroughTheWebhookThenTrainerAndServerStoredAsSaidTheOthersRefused() throws Exception {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.load(EXAMPLE.resolve("policy.yaml")));
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);
        Map<String, JsonNode> verdicts = new LinkedHashMap<>();
        Map<String, JsonNode> stored = new LinkedHashMap<>();
        for (String doc : Files.readString(EXAMPLE.resolve("pods.yaml")).split("(?m)^---$")) {
            JsonNode pod = YAML.readTree(doc);
            JsonNode mutate = review(handler, Endpoint.MUTATE, pod);
            JsonNode created = mutate.has("patch") ? JsonPatch.apply(Json.mapper().readTree(
                    Base64.getDecoder().decode(mutate.get("patch").asString())), pod) : pod;
            String name = pod.get("metadata").get("name").asString();
            verdicts.put(name, review(handler, Endpoint.VALIDATE, created));
            stored.put(name, created);
        }

        assertThat(verdicts.get("train").get("allowed").asBoolean()).isTrue();
        assertThat(stored.get("train").get("spec").get("nodeSelector").toString()).isEqualTo("{\"dedicated\":\"ml\"}");
        assertThat(stored.get("serve").get("spec").get("tolerations").toString()).isEqualTo(
                "[{\"key\":\"node.kubernetes.io/memory-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"},"
                        + "{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]");
        assertThat(verdicts.get("serve").get("allowed").asBoolean()).isTrue();
        assertThat(message(verdicts.get("borrow"))).isEqualTo(
                "pod tolerations (possibly merged with namespace default tolerations) conflict with its cluster whitelist");
        assertThat(message(verdicts.get("squat"))).isEqualTo(
                "violates placement rules: node labels (spec.nodeSelector selects dedicated=ml, pods here may not select dedicated)");
        assertThat(message(verdicts.get("stray"))).isEqualTo("pod node label selector conflicts with its namespace node label selector; "
                + "violates placement rules: node labels (spec.nodeSelector selects dedicated=web, pods here may select dedicated only as ml)");
        assertThat(message(verdicts.get("debug"))).isEqualTo("violates placement rules: nodeName (pod must not set "
                + "spec.nodeName=\"gpu-node-3\": it bypasses the scheduler and every node taint)");
    }

    private static String message(JsonNode response) {
        assertThat(response.get("allowed").asBoolean()).isFalse();
        return response.get("status").get("message").asString();
    }

    private static JsonNode review(AdmissionHandler handler, Endpoint endpoint, JsonNode pod) throws BadReviewException {
        ObjectNode request = Json.mapper().createObjectNode();
        request.put("uid", "uid-1");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", pod.get("metadata").get("namespace").asString());
        request.putObject("userInfo").put("username", "jane");
        request.set("object", pod);
        ObjectNode review = Json.mapper().createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        review.set("request", request);
        return Json.mapper().readTree(handler.handle(endpoint, Json.mapper().writeValueAsBytes(review))).get("response");
    }

    record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute(args);
        return new Run(exit, out.toString());
    }

    /** The page's fenced blocks of {@code language}, in order. */
    private static List<String> blocks(String language) throws IOException {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC, StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The output lines of the text block whose first line starts with {@code command}. */
    private static String transcript(String command) throws IOException {
        for (String block : blocks("text")) {
            if (block.startsWith(command)) {
                return block.substring(block.indexOf('\n') + 1);
            }
        }
        throw new AssertionError("no transcript of " + command + " in " + DOC);
    }
}
