package io.podguard.testing;

import io.podguard.engine.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Kubernetes v1.24's PodSecurityPolicy admission plugin, run: {@code src/test/cluster/psp-oracle}
 * (its own Go module pinning k8s.io/kubernetes v1.24.17, the last release with PSP), built by
 * build.sh like the other Go binaries (cached). It reads a JSON array of cases and answers one
 * object per case (its doc comment gives both formats). Fails, never skips, when it cannot be
 * built or run.
 */
public final class PspOracle {

    private static Path binary;

    private PspOracle() {
    }

    /** Builds (or finds up to date) {@code target/e2e-bin/psp-oracle} through build.sh. */
    public static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        Path repo = GoModules.repository();
        Path out = repo.resolve("target/e2e-bin");
        try {
            ProcessBuilder build = new ProcessBuilder("bash", repo.resolve("src/test/cluster/build.sh").toString(), out.toString())
                    .directory(repo.toFile())
                    .redirectErrorStream(true);
            build.environment().put("BUILD_ONLY", "psp-oracle");
            build.environment().merge("PATH", "/usr/local/go/bin", (a, b) -> a + ":" + b);
            Process process = build.start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("BUILD_ONLY=psp-oracle build.sh did not finish in 15 minutes:\n" + log);
            }
            Path built = out.resolve("psp-oracle");
            if (process.exitValue() != 0 || !Files.isExecutable(built)) {
                throw new IllegalStateException("BUILD_ONLY=psp-oracle src/test/cluster/build.sh failed (exit " + process.exitValue()
                        + "):\n" + log);
            }
            binary = built;
            return built;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The plugin's answer to each case, in order: one process for the whole batch. */
    public static ArrayNode answers(ArrayNode cases) {
        try {
            Path in = Files.createTempFile("psp-oracle-cases", ".json");
            Path out = Files.createTempFile("psp-oracle-answers", ".json");
            Path err = Files.createTempFile("psp-oracle", ".err");
            try {
                Files.write(in, Json.mapper().writeValueAsBytes(cases));
                Process p = new ProcessBuilder(binary().toString())
                        .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("psp-oracle did not finish in 5 minutes");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("psp-oracle exited " + p.exitValue() + ": " + Files.readString(err));
                }
                JsonNode answers = Json.mapper().readTree(out.toFile());
                if (!(answers instanceof ArrayNode array) || array.size() != cases.size()) {
                    throw new IllegalStateException("psp-oracle answered " + answers.size() + " results for " + cases.size() + " cases");
                }
                return array;
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
