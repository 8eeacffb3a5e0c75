package io.podguard.cli;

import io.podguard.engine.Text;

import io.podguard.engine.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the manifests {@code check} is given: files, folders (recursively, {@code *.yaml},
 * {@code *.yml}, {@code *.json}, in name order) and {@code -} for standard input. A file holds
 * one or more YAML documents or one JSON value; {@code List} kinds are opened into their items.
 */
final class CheckManifests {

    /** One Kubernetes object and where it came from. */
    record Manifest(String file, ObjectNode object) {
        String kind() {
            return object.get("kind").asString();
        }
    }

    /** Input that cannot be checked: the message is one line naming the file. */
    static final class BadInputException extends Exception {
        BadInputException(String message) {
            super(message, null, false, false);
        }
    }

    private static final YAMLMapper YAML = Json.yaml();

    private CheckManifests() {
    }

    static List<Manifest> read(List<String> paths, InputStream stdin) throws BadInputException {
        List<Manifest> manifests = new ArrayList<>();
        for (String path : paths) {
            if ("-".equals(path)) {
                String text;
                try {
                    text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new BadInputException("-: cannot read standard input: " + e.getMessage());
                }
                parse("-", text, manifests);
                continue;
            }
            Path p = Path.of(path);
            if (Files.isDirectory(p)) {
                for (Path file : manifestFiles(p)) {
                    parse(file.toString(), readFile(file), manifests);
                }
            } else {
                parse(path, readFile(p), manifests);
            }
        }
        return manifests;
    }

    private static List<Path> manifestFiles(Path dir) throws BadInputException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> {
                        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BadInputException(dir + ": cannot read folder: " + e.getMessage());
        }
    }

    private static String readFile(Path file) throws BadInputException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(file + ": no such file or folder");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static void parse(String file, String text, List<Manifest> out) throws BadInputException {
        List<JsonNode> documents = new ArrayList<>();
        boolean json = file.toLowerCase(Locale.ROOT).endsWith(".json");
        if (looksLikeJson(text)) {
            // JSON, or YAML written in flow style ({kind: Pod, ...}): try JSON first.
            try {
                documents.add(Json.mapper().readTree(text));
            } catch (JacksonException e) {
                if (json) {
                    throw invalid(file, "JSON", e);
                }
            }
        }
        if (documents.isEmpty()) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
                while (it.hasNextValue()) {
                    documents.add(it.nextValue());
                }
            } catch (JacksonException e) {
                throw invalid(file, "YAML", e);
            }
        }
        int index = 0;
        for (JsonNode document : documents) {
            index++;
            if (document == null || document.isNull() || document.isMissingNode()) {
                continue; // an empty document, e.g. after a trailing ---
            }
            add(file, index, document, out);
        }
    }

    private static void add(String file, int index, JsonNode document, List<Manifest> out) throws BadInputException {
        if (!(document instanceof ObjectNode object)) {
            throw new BadInputException(file + ": document " + index + " is not an object");
        }
        JsonNode kind = object.get("kind");
        if (kind == null || !kind.isString() || kind.asString().isEmpty()) {
            throw new BadInputException(file + ": document " + index + " has no kind");
        }
        JsonNode items = object.get("items");
        if (kind.asString().endsWith("List") && items != null && items.isArray()) {
            for (JsonNode item : items) {
                add(file, index, item, out);
            }
            return;
        }
        out.add(new Manifest(file, object));
    }

    private static BadInputException invalid(String file, String format, JacksonException e) {
        return new BadInputException(file + ": invalid " + format + ": " + Text.oneLine(e.getOriginalMessage(), "unreadable") + location(e));
    }

    private static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && c != '\uFEFF') {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

}
