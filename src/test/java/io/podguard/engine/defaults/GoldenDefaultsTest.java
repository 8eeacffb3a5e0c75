package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.podguard.admission.AdmissionHandler;
import io.podguard.engine.Json;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyLoader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * {@code src/test/resources/defaults/<case>/input.yaml → expected.yaml}: the pod is sent to /mutate
 * through {@link AdmissionHandler} (with the case's {@code policy.yaml}, else the embedded default
 * policy), the returned patch is applied by JSON-P (an independent RFC 6902 implementation) and
 * the result must equal {@code expected.yaml}. Reviewing the result again must give no patch, and
 * a dry-run request the same patch.
 *
 * <p>A case without {@code expected.yaml} gets one written from the current output and fails,
 * to be reviewed by hand before it is committed.
 */
class GoldenDefaultsTest {

    private static final Path SOURCE_FIXTURES = Path.of("src/test/resources/defaults");
    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES, YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER, YAMLWriteFeature.SPLIT_LINES)
            .build();

    static Stream<String> cases() throws IOException, URISyntaxException {
        Path root = Path.of(Objects.requireNonNull(GoldenDefaultsTest.class.getResource("/defaults")).toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mutateWhenCaseInputThenPatchedPodEqualsExpected(String name) throws Exception {
        Path dir = fixtures().resolve(name);
        ObjectNode input = PatchTesting.yaml(Files.readString(dir.resolve("input.yaml")));
        Policy policy = Files.exists(dir.resolve("policy.yaml"))
                ? PolicyLoader.parse(Files.readString(dir.resolve("policy.yaml")))
                : PolicyLoader.embeddedDefault();
        AdmissionHandler handler = PatchTesting.handler(policy);

        JsonNode response = PatchTesting.mutate(handler, input);
        assertThat(response.get("allowed").asBoolean()).isTrue();
        String patch = PatchTesting.patchOf(response);
        JsonNode actual = patch == null ? input : PatchTesting.toJackson(PatchTesting.applyIndependently(input, patch));

        Path expectedFile = dir.resolve("expected.yaml");
        if (!Files.exists(expectedFile)) {
            String comments = Files.readString(dir.resolve("input.yaml")).lines()
                    .takeWhile(line -> line.startsWith("#")).map(line -> line + "\n").reduce("", String::concat);
            Files.writeString(SOURCE_FIXTURES.resolve(name).resolve("expected.yaml"), comments + WRITER.writeValueAsString(actual));
            fail("wrote " + name + "/expected.yaml from the current output: review it");
        }
        JsonNode expected = PatchTesting.yaml(Files.readString(expectedFile));
        assertThat(actual).isEqualTo(expected);

        if (patch != null) {
            for (JsonNode op : Json.mapper().readTree(patch)) {
                assertThat(op.get("op").asString()).as("patch op %s", op).isIn("add", "replace");
            }
            JsonNode dryRun = Json.mapper().readTree(handler.handle(io.podguard.admission.Endpoint.MUTATE, PatchTesting.review(input, true)))
                    .get("response");
            assertThat(PatchTesting.patchOf(dryRun)).as("dry-run patch").isEqualTo(patch);
        }
        JsonNode again = PatchTesting.mutate(handler, expected);
        assertThat(PatchTesting.patchOf(again)).as("patch when the mutated pod is reviewed again").isNull();
    }

    /** Read from the source tree when run from the project, so a freshly written expected.yaml is seen. */
    private static Path fixtures() throws IOException {
        if (Files.isDirectory(SOURCE_FIXTURES)) {
            return SOURCE_FIXTURES;
        }
        try {
            return Path.of(Objects.requireNonNull(GoldenDefaultsTest.class.getResource("/defaults")).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
