package io.podguard.e2e;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.podguard.engine.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code helm} binary built by {@code src/test/cluster/build.sh}, run against the
 * chart in {@code charts/podguard}. A missing binary fails the test: it is never skipped.
 */
final class HelmBinary {

    static final Path CHART = Path.of("charts/podguard").toAbsolutePath();

    /** What one helm run printed and how it ended. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    private final Path binary;
    private final Map<String, String> env;

    private HelmBinary(Path binary, Map<String, String> env) {
        this.binary = binary;
        this.env = env;
    }

    /** The helm of {@code -Dpodguard.e2e.helm}, {@code PODGUARD_E2E_HELM}, or {@code target/e2e-bin/helm}. */
    static HelmBinary locate() {
        String configured = System.getProperty("podguard.e2e.helm", System.getenv("PODGUARD_E2E_HELM"));
        Path path = Path.of(configured != null && !configured.isBlank() ? configured : "target/e2e-bin/helm").toAbsolutePath();
        if (!Files.isExecutable(path)) {
            fail("helm not found at " + path + ": build it with src/test/cluster/build.sh"
                    + " (or point -Dpodguard.e2e.helm / PODGUARD_E2E_HELM at a helm v3 binary)");
        }
        return new HelmBinary(path, Map.of());
    }

    /** The same helm, talking to the cluster of {@code kubeconfig}. */
    HelmBinary withKubeconfig(Path kubeconfig, Path home) {
        return new HelmBinary(binary, Map.of("KUBECONFIG", kubeconfig.toString(),
                "HELM_CACHE_HOME", home.resolve("cache").toString(),
                "HELM_CONFIG_HOME", home.resolve("config").toString(),
                "HELM_DATA_HOME", home.resolve("data").toString()));
    }

    Run run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        try {
            Path out = Files.createTempFile("helm", ".out");
            Path err = Files.createTempFile("helm", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("helm " + String.join(" ", args) + " did not finish in 120 s");
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
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

    /** Runs helm and fails the test, with helm's own words, unless it exits 0. */
    String ok(List<String> args) {
        Run run = run(args);
        if (run.exitCode() != 0) {
            fail("helm " + String.join(" ", args) + " exited " + run.exitCode() + ":\n" + run.stderr() + run.stdout());
        }
        return run.stdout();
    }

    /** {@code helm template} of the chart as release {@code podguard} in {@code podguard-system}, parsed. */
    List<HasMetadata> template(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("template", "podguard", CHART.toString(), "--namespace", "podguard-system"));
        args.addAll(List.of(extraArgs));
        return parse(ok(args));
    }

    /** Every document of a multi-document YAML stream, typed by kind (unknown kinds stay generic). */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            objects.add(Json.serialization().unmarshal(doc));
        }
        return objects;
    }
}
