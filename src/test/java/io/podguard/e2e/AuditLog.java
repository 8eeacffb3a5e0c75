package io.podguard.e2e;

import io.podguard.engine.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** The apiserver's audit log (JSON lines, written before the response is sent). */
final class AuditLog {

    private final Path file;

    AuditLog(Path file) {
        this.file = file;
    }

    /** The completed {@code verb} event of {@code resource} {@code namespace/name}, if logged. */
    Optional<JsonNode> event(String verb, String resource, String namespace, String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (!line.contains(namespace)) {
                continue;
            }
            JsonNode event = Json.mapper().readTree(line);
            JsonNode ref = event.path("objectRef");
            String eventName = ref.path("name").asString(event.path("requestObject").path("metadata").path("name").asString(""));
            if (verb.equals(event.path("verb").asString()) && "ResponseComplete".equals(event.path("stage").asString())
                    && resource.equals(ref.path("resource").asString()) && ref.path("subresource").isMissingNode()
                    && namespace.equals(ref.path("namespace").asString()) && name.equals(eventName)) {
                return Optional.of(event);
            }
        }
        return Optional.empty();
    }
}
