package io.podguard.cli;

import io.podguard.engine.Json;
import io.podguard.engine.Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * Reads what {@code check} is given: files, folders (recursively, {@code *.yaml}, {@code *.yml},
 * {@code *.json}, in name order) and {@code -} for standard input. A file holds one or more YAML
 * documents or one JSON value; {@code List} kinds are opened into their items.
 *
 * <p>Nothing stops the run: a file that is not a Kubernetes manifest at all (a Helm chart's
 * {@code values.yaml}, a CI workflow, a Helm template) is skipped with its reason; a broken one
 * (invalid YAML, a document without kind among manifests) is an error of the run; duplicate
 * keys and unknown fields are warnings, as {@code kubectl apply --validate=strict} gives them.
 */
final class CheckManifests {

    /** One Kubernetes object and where it came from. */
    record Manifest(String file, ObjectNode object) {
        String kind() {
            return object.get("kind").asString();
        }
    }

    /** A file that holds no Kubernetes manifest; {@code helmTemplate}: it looks like one of a chart's templates. */
    record Skipped(String file, String reason, boolean helmTemplate) {
    }

    /** Everything read: objects to judge, files skipped, errors and warnings (one line each, naming the file), files read. */
    record Input(List<Manifest> manifests, List<Skipped> skipped, List<String> errors, List<String> warnings, int files) {
    }

    private static final YAMLMapper YAML = Json.yaml();

    private CheckManifests() {
    }

    static Input read(List<String> paths, InputStream stdin) {
        Input input = new Input(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), 0);
        int files = 0;
        for (String path : paths) {
            if ("-".equals(path)) {
                files++;
                try {
                    parse("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8), input);
                } catch (IOException e) {
                    input.errors().add("-: cannot read standard input: " + e.getMessage());
                }
                continue;
            }
            Path p = Path.of(path);
            if (Files.isDirectory(p)) {
                List<Path> found;
                try {
                    found = manifestFiles(p);
                } catch (IOException | java.io.UncheckedIOException e) {
                    input.errors().add(p + ": cannot read folder: " + e.getMessage());
                    continue;
                }
                for (Path file : found) {
                    files++;
                    readFile(file.toString(), file, input);
                }
            } else {
                files++;
                readFile(path, p, input);
            }
        }
        return new Input(input.manifests(), input.skipped(), input.errors(), input.warnings(), files);
    }

    private static List<Path> manifestFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> {
                        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        }
    }

    private static void readFile(String name, Path file, Input input) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            input.errors().add(name + ": no such file or folder");
            return;
        } catch (java.nio.charset.MalformedInputException e) {
            input.skipped().add(new Skipped(name, "not text (not UTF-8)", false));
            return;
        } catch (IOException e) {
            input.errors().add(name + ": cannot read: " + e.getMessage());
            return;
        }
        parse(name, text, input);
    }

    private static void parse(String file, String text, Input input) {
        List<JsonNode> documents = new ArrayList<>();
        boolean json = file.toLowerCase(Locale.ROOT).endsWith(".json");
        if (looksLikeJson(text)) {
            // JSON, or YAML written in flow style ({kind: Pod, ...}): try JSON first.
            try {
                documents.add(Json.mapper().readTree(text));
            } catch (JacksonException e) {
                if (json) {
                    input.errors().add(invalid(file, "JSON", e));
                    return;
                }
            }
        }
        boolean yaml = documents.isEmpty();
        if (yaml) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
                while (it.hasNextValue()) {
                    documents.add(it.nextValue());
                }
            } catch (JacksonException e) {
                if (isHelmTemplate(text)) {
                    input.skipped().add(new Skipped(file, "a Helm template", true));
                } else {
                    input.errors().add(invalid(file, "YAML", e));
                }
                return;
            }
        }
        List<ObjectNode> objects = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        int index = 0;
        int withoutKind = 0;
        int firstWithoutKind = 0;
        for (JsonNode document : documents) {
            index++;
            if (document == null || document.isNull() || document.isMissingNode()) {
                continue; // an empty document, e.g. after a trailing ---
            }
            if (document instanceof ObjectNode object && isManifest(object)) {
                objects.add(object);
                numbers.add(index);
            } else {
                withoutKind++;
                if (firstWithoutKind == 0) {
                    firstWithoutKind = index;
                }
            }
        }
        if (objects.isEmpty()) {
            if (withoutKind > 0) {
                input.skipped().add(isHelmTemplate(text) ? new Skipped(file, "a Helm template", true)
                        : new Skipped(file, "not a Kubernetes manifest (no apiVersion and kind)", false));
            }
            return;
        }
        if (withoutKind > 0) {
            // Manifests beside a document that is none: a broken manifest, not another kind of file.
            input.errors().add(file + ": document " + firstWithoutKind + " has no kind"
                    + (withoutKind > 1 ? " (and " + (withoutKind - 1) + " more documents)" : ""));
        }
        // JSON too: {"privileged": true, "privileged": false} is as silent as its YAML twin
        for (ManifestLint.Duplicate d : ManifestLint.duplicates(yaml ? Json.yamlAsWritten() : Json.mapper(), text)) {
            input.warnings().add(file + ": document " + d.document() + ": duplicate key \"" + d.path() + "\" (line " + d.line()
                    + "): the last one counts");
        }
        for (int i = 0; i < objects.size(); i++) {
            add(file, numbers.get(i), objects.get(i), input);
        }
    }

    private static void add(String file, int index, JsonNode document, Input input) {
        if (!(document instanceof ObjectNode object) || !isManifest(object)) {
            input.errors().add(file + ": document " + index + ": a List item without kind");
            return;
        }
        JsonNode items = object.get("items");
        if (object.get("kind").asString().endsWith("List") && items != null && items.isArray()) {
            for (JsonNode item : items) {
                add(file, index, item, input);
            }
            return;
        }
        JsonNode apiVersion = object.get("apiVersion");
        if (apiVersion == null || !apiVersion.isString() || apiVersion.asString().isEmpty()) {
            // kubectl refuses it too ("apiVersion not set"): judged, it would say what the cluster never sees.
            input.errors().add(file + ": document " + index + ": apiVersion not set");
            return;
        }
        input.manifests().add(new Manifest(file, object));
    }

    private static boolean isManifest(ObjectNode object) {
        JsonNode kind = object.get("kind");
        return kind != null && kind.isString() && !kind.asString().isEmpty();
    }

    /** Go template actions outside of quotes, as a chart's templates/ have them. */
    private static boolean isHelmTemplate(String text) {
        return text.contains("{{") && text.contains("}}") && (text.contains(".Values") || text.contains(".Release")
                || text.contains(".Chart") || text.contains("include ") || text.contains("{{-") || text.contains("-}}"));
    }

    private static String invalid(String file, String format, JacksonException e) {
        return file + ": invalid " + format + location(e) + ": " + Text.joined(e.getOriginalMessage(), "unreadable");
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
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

}
