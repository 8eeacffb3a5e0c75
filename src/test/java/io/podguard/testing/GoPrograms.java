package io.podguard.testing;

import io.podguard.engine.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The Go programs of {@code src/test/cluster} that run upstream's own code as oracles: one built by
 * name through build.sh ({@code BUILD_ONLY}, cached), and a JSON batch of cases run through one.
 * Fails, never skips, when a program cannot be built or run.
 */
public final class GoPrograms {

    private static final Map<String, Path> BUILT = new HashMap<>();

    private GoPrograms() {
    }

    /** Builds (or finds up to date) {@code target/e2e-bin/<name>} through build.sh. */
    public static synchronized Path binary(String name, int timeoutMinutes) {
        Path known = BUILT.get(name);
        if (known != null) {
            return known;
        }
        Path repo = GoModules.repository();
        Path out = repo.resolve("target/e2e-bin");
        try {
            ProcessBuilder build = new ProcessBuilder("bash", repo.resolve("src/test/cluster/build.sh").toString(), out.toString())
                    .directory(repo.toFile())
                    .redirectErrorStream(true);
            build.environment().put("BUILD_ONLY", name);
            build.environment().merge("PATH", "/usr/local/go/bin", (a, b) -> a + ":" + b);
            Process process = build.start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("BUILD_ONLY=" + name + " build.sh did not finish in " + timeoutMinutes
                        + " minutes:\n" + log);
            }
            Path built = out.resolve(name);
            if (process.exitValue() != 0 || !Files.isExecutable(built)) {
                throw new IllegalStateException("BUILD_ONLY=" + name + " src/test/cluster/build.sh failed (exit "
                        + process.exitValue() + "):\n" + log);
            }
            BUILT.put(name, built);
            return built;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code binary}'s answer for each of {@code cases}, in order: the cases as one JSON array on its
     * standard input, one JSON array of as many answers on its standard output, one process per batch.
     */
    public static ArrayNode answers(Path binary, ArrayNode cases) {
        String program = binary.getFileName().toString();
        try {
            Path in = Files.createTempFile(program + "-cases", ".json");
            Path out = Files.createTempFile(program + "-answers", ".json");
            Path err = Files.createTempFile(program, ".err");
            try {
                Files.write(in, Json.mapper().writeValueAsBytes(cases));
                Process p = new ProcessBuilder(binary.toString())
                        .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(program + " did not finish in 5 minutes");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(program + " exited " + p.exitValue() + ": " + Files.readString(err));
                }
                JsonNode answers = Json.mapper().readTree(out.toFile());
                if (!(answers instanceof ArrayNode array) || array.size() != cases.size()) {
                    throw new IllegalStateException(program + " answered " + answers.size() + " results for " + cases.size() + " cases");
                }
                return array;
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
