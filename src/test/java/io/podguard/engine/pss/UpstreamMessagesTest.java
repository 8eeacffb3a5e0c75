package io.podguard.engine.pss;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Json;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.PssVersion;
import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.testing.GeneratedPods;
import io.podguard.testing.Judging;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * podguard's Pod Security Standards messages are upstream's, character for character: seeded
 * generated pods (every field a check looks at, valid and invalid values, several containers
 * of each kind) at both levels and every version are judged by podguard and by upstream's own
 * evaluator ({@code src/test/cluster/cmd/psa-eval}, built from k8s.io/pod-security-admission
 * as pinned in src/test/cluster/go.mod), and the whole {@code status.message} compared.
 * The program is built like the other Go binaries (cached); the test fails when it cannot be.
 */
class UpstreamMessagesTest {

    private static final int PODS = 160;
    private static final long SEED = 20_260_315L;

    @Test
    void messagesWhenGeneratedPodsAtEveryLevelAndVersionThenIdenticalToUpstream() throws Exception {
        Path binary = PsaEval.binary();
        Random random = new Random(SEED);
        List<String> requests = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            ObjectNode pod = GeneratedPods.pod(random, i);
            PodObject object = PodExtractor.extract("Pod", pod).orElseThrow();
            for (Level level : List.of(Level.BASELINE, Level.RESTRICTED)) {
                for (int minor = 0; minor <= PssVersion.NEWEST_MINOR + 1; minor++) {
                    PssVersion version = minor > PssVersion.NEWEST_MINOR ? PssVersion.LATEST : PssVersion.of(minor);
                    LevelVersion lv = new LevelVersion(level, version);
                    ObjectNode request = Json.mapper().createObjectNode();
                    request.put("level", level.id());
                    request.put("version", version.toString());
                    request.set("pod", pod);
                    requests.add(Json.mapper().writeValueAsString(request));
                    ours.add(Judging.evaluate(object, Judging.levels(lv, null, null, new DefaultsConfig(false, null)))
                            .message(Mode.ENFORCE, true));
                    labels.add("pod " + i + " at " + lv);
                }
            }
        }
        List<String> upstream = PsaEval.messages(binary, requests);

        assertThat(requests).hasSizeGreaterThanOrEqualTo(5_000);
        assertThat(upstream).hasSameSizeAs(ours);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            if (!ours.get(i).equals(upstream.get(i))) {
                differences.add(labels.get(i) + "\n  podguard: " + ours.get(i) + "\n  upstream: " + upstream.get(i)
                        + "\n  pod: " + requests.get(i));
            }
        }
        assertThat(differences).as("%d of %d messages differ", differences.size(), ours.size()).isEmpty();
        assertThat(upstream.stream().filter(m -> !m.isEmpty()).count()).as("denials among the pairs").isGreaterThan(ours.size() / 2);
        assertThat(upstream.stream().filter(String::isEmpty).count()).as("admissions among the pairs").isGreaterThan(ours.size() / 50);
    }

    /** Upstream's evaluator, run. */
    static final class PsaEval {

        private PsaEval() {
        }

        /** Builds (or finds up to date) {@code target/e2e-bin/psa-eval} through build.sh. */
        static Path binary() {
            return io.podguard.testing.GoPrograms.binary("psa-eval", 10);
        }

        /** One message per request line, in order; "" for an allowed pod. */
        static List<String> messages(Path binary, List<String> requests) throws Exception {
            Process process = new ProcessBuilder(binary.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                    for (String r : requests) {
                        w.write(r);
                        w.write('\n');
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            List<String> out = new ArrayList<>(requests.size());
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    var node = Json.mapper().readTree(line);
                    assertThat(node.has("error")).as("psa-eval could not read a request: %s", line).isFalse();
                    out.add(node.get("message").asString());
                }
            }
            writer.get(2, TimeUnit.MINUTES);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).isZero();
            return out;
        }
    }
}
