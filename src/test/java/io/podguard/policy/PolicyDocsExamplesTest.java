package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.testing.Reviews;
import jakarta.json.JsonArray;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * docs/policy.md's examples do what the page says: a pod podguard defaulted passes the resource
 * example and the strict example; no example has a date that YAML 1.1 tools would read as a
 * timestamp and the published schema would then refuse.
 */
class PolicyDocsExamplesTest {

    private static final Path REFERENCE = Path.of("docs/policy.md");
    private static final String BARE_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
             "spec":{"containers":[{"name":"web","image":"nginx:1.29"}]}}""";

    private static List<String> examples() throws Exception {
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(REFERENCE));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static String example(String containing) throws Exception {
        return examples().stream().filter(e -> e.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no example in docs/policy.md contains " + containing));
    }

    /** /mutate, the patch applied with JSON-P, then /validate: what the cluster decides for a bare pod. */
    private static JsonNode admit(String policyYaml) throws Exception {
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> PolicyResolver.fixed(PolicyLoader.parse(policyYaml)),
                ReviewObserver.NONE);
        JsonNode mutated = Reviews.response(handler.handle(Endpoint.MUTATE, Reviews.create(BARE_POD).getBytes()));
        String pod = BARE_POD;
        JsonNode patch = Reviews.patch(mutated);
        if (patch != null) {
            try (var p = jakarta.json.Json.createReader(new StringReader(patch.toString()));
                 var d = jakarta.json.Json.createReader(new StringReader(BARE_POD))) {
                pod = jakarta.json.Json.createPatch((JsonArray) p.readValue()).apply((JsonStructure) d.readValue()).toString();
            }
        }
        return Reviews.response(handler.handle(Endpoint.VALIDATE, Reviews.create(pod).getBytes()));
    }

    @Test
    void resourceExampleWhenABarePodWasDefaultedThenNoResourceRuleObjects() throws Exception {
        JsonNode response = admit(example("maxLimitRequestRatio"));

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(Json.mapper().writeValueAsString(response.path("warnings"))).doesNotContain("resource rules");
    }

    @Test
    void strictExampleWhenABarePodWasDefaultedThenAdmittedWithoutAWarning() throws Exception {
        JsonNode response = admit(example("podSecurity: {level: restricted, version: latest}"));

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("warnings")).isFalse();
    }

    @Test
    void strictExampleWithoutItsDefaultsThenTheBarePodIsDenied() throws Exception {
        JsonNode response = admit("mode: enforce\npodSecurity: {level: restricted, version: latest}\n");

        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asString()).startsWith("violates PodSecurity \"restricted:latest\": ");
    }

    @Test
    void embeddedDefaultExampleWhenABarePodWasDefaultedThenAdmittedWithTwoRestrictedWarnings() throws Exception {
        JsonNode response = admit(example("enforce: {level: baseline, version: latest}"));

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("warnings").size()).isEqualTo(2);
    }

    @Test
    void examplesWhenTheyGiveDatesThenQuotedForYaml11Tools() throws Exception {
        for (String example : examples()) {
            assertThat(example).doesNotContainPattern("(?m):\\s+\\d{4}-\\d{2}-\\d{2}\\s*(#.*)?$");
        }
        assertThat(Files.readString(REFERENCE)).contains("expires: \"2026-12-31\"");
    }
}
