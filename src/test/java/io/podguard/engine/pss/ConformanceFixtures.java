package io.podguard.engine.pss;

import io.podguard.engine.Level;
import io.podguard.engine.PssVersion;
import io.podguard.testing.GoModules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Kubernetes' own Pod Security Admission fixtures, {@code <level>/v1.<minor>/{pass,fail}/*.yaml},
 * from the Go module {@code k8s.io/pod-security-admission} at the version the e2e tier pins
 * ({@link GoModules#podSecurityFixtures()}). Fixtures that cannot be had fail, never skip.
 */
final class ConformanceFixtures {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** One fixture pod; {@code checkId} is the file name without its trailing digits, lower case as upstream writes it. */
    record Fixture(Level level, PssVersion version, boolean pass, String fileName, String checkId, ObjectNode pod) {
        @Override
        public String toString() {
            return level.id() + "/" + version + "/" + (pass ? "pass" : "fail") + "/" + fileName;
        }
    }

    private ConformanceFixtures() {
    }

    static Path directory() {
        return GoModules.podSecurityFixtures();
    }

    /** Every fixture, parsed once (in parallel: they are thousands), in a stable order. */
    static List<Fixture> all() {
        Path dir = directory();
        record Source(Level level, PssVersion version, boolean pass, Path file) {
        }
        List<Source> sources = new ArrayList<>(5000);
        for (Level level : List.of(Level.BASELINE, Level.RESTRICTED)) {
            for (int minor = 0; minor <= PssVersion.NEWEST_MINOR; minor++) {
                PssVersion version = PssVersion.of(minor);
                for (boolean pass : new boolean[] {true, false}) {
                    Path folder = dir.resolve(level.id()).resolve(version.toString()).resolve(pass ? "pass" : "fail");
                    if (!Files.isDirectory(folder)) {
                        throw new IllegalStateException("missing fixture folder " + folder);
                    }
                    List<Path> files = yamlFiles(folder);
                    if (files.isEmpty()) {
                        throw new IllegalStateException("no fixtures in " + folder);
                    }
                    for (Path file : files) {
                        sources.add(new Source(level, version, pass, file));
                    }
                }
            }
        }
        return sources.parallelStream().map(s -> read(s.level(), s.version(), s.pass(), s.file())).toList();
    }

    private static List<Path> yamlFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Fixture read(Level level, PssVersion version, boolean pass, Path file) {
        String name = file.getFileName().toString();
        JsonNode node;
        try {
            node = YAML.readTree(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read fixture " + file + ": " + e.getMessage(), e);
        }
        if (!(node instanceof ObjectNode pod)) {
            throw new IllegalStateException("fixture " + file + " is not an object");
        }
        String checkId = name.substring(0, name.length() - ".yaml".length()).replaceAll("[0-9]+$", "").toLowerCase(Locale.ROOT);
        return new Fixture(level, version, pass, name, checkId, pod);
    }
}
