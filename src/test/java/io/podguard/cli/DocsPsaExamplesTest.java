package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/psa.md says what podguard does: every policy on the page is a valid policy, and its
 * {@code podguard config validate} transcript is what the command prints for the
 * AdmissionConfiguration shown above it.
 */
class DocsPsaExamplesTest {

    private static final Path PAGE = Path.of("docs/psa.md");

    @TempDir
    Path dir;

    private static List<String> blocks(String language) throws Exception {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(PAGE));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyPolicyOnThePageIsValid() throws Exception {
        List<String> policies = blocks("yaml");

        assertThat(policies).hasSizeGreaterThanOrEqualTo(5);
        for (String policy : policies) {
            PolicyLoader.parse(policy); // throws with every error when it is not
        }
    }

    @Test
    void configValidateTranscriptIsWhatTheCommandPrints() throws Exception {
        String admissionConfiguration = blocks("yaml").stream().filter(b -> b.contains("kind: AdmissionConfiguration")).findFirst().orElseThrow();
        String transcript = blocks("text").stream().filter(b -> b.startsWith("$ podguard config validate psa.yaml")).findFirst().orElseThrow();
        Path file = dir.resolve("psa.yaml");
        Files.writeString(file, admissionConfiguration);

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "config", "validate", file.toString());

        assertThat(run.code()).isZero();
        String expected = transcript.substring(transcript.indexOf('\n') + 1);
        assertThat(run.out().replace(file.toString(), "psa.yaml")).isEqualTo(expected);
    }
}
