package io.podguard.testing;

import io.podguard.engine.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Upstream Pod Security Admission's admission logic, run: {@code src/test/cluster/cmd/psa-admission},
 * built from k8s.io/pod-security-admission as src/test/cluster/go.mod pins it, like the other Go
 * binaries (cached). Each request line names a PodSecurityConfiguration, a namespace with its labels,
 * the pods already in it and, optionally, an admission request; each answer says the policy PSA
 * resolved (and the label errors), and PSA's response. Fails, never skips, when it cannot be built.
 */
public final class PsaAdmission {

    private PsaAdmission() {
    }

    /** Builds (or finds up to date) {@code target/e2e-bin/psa-admission} through build.sh. */
    public static Path binary() {
        return GoPrograms.binary("psa-admission", 10);
    }

    /** PSA's answer to each request, in order. */
    public static List<JsonNode> answers(List<String> requests) {
        try {
            Process process = new ProcessBuilder(binary().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                    for (String r : requests) {
                        w.write(r);
                        w.write('\n');
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            List<JsonNode> out = new ArrayList<>(requests.size());
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode node = Json.mapper().readTree(line);
                    if (node.has("error")) {
                        throw new IllegalStateException("psa-admission could not answer request " + (out.size() + 1) + ": "
                                + node.get("error").asString() + "\n  " + requests.get(out.size()));
                    }
                    out.add(node);
                }
            }
            writer.get(5, TimeUnit.MINUTES);
            if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("psa-admission failed");
            }
            if (out.size() != requests.size()) {
                throw new IllegalStateException("psa-admission answered " + out.size() + " of " + requests.size() + " requests");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("writing to psa-admission failed", e);
        }
    }
}
