package io.podguard.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory laid out and updated as the kubelet does for a ConfigMap volume:
 * {@code policy.yaml -> ..data/policy.yaml}, {@code ..data -> ..2026_11_26_14_00_00.1}; an update
 * writes a new timestamped directory, points {@code ..data_tmp} at it, renames that over
 * {@code ..data} (one atomic rename) and removes the old directory.
 */
public final class ConfigMapVolume {

    private final Path dir;
    private final String key;
    private int generation;
    private Path current;

    public ConfigMapVolume(Path dir, String key, String content) throws IOException {
        this.dir = dir;
        this.key = key;
        this.current = writeGeneration(content);
        Files.createSymbolicLink(dir.resolve("..data"), current.getFileName());
        Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
    }

    /** The path users mount and podguard follows. */
    public Path file() {
        return dir.resolve(key);
    }

    /** The kubelet's atomic update. */
    public void update(String content) throws IOException {
        Path next = writeGeneration(content);
        Path tmp = dir.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, next.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        delete(current);
        current = next;
    }

    /** The key removed from the ConfigMap: the symlink goes, the directory stays. */
    public void removeKey() throws IOException {
        Files.delete(dir.resolve(key));
    }

    public void restoreKey() throws IOException {
        Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
    }

    private Path writeGeneration(String content) throws IOException {
        generation++;
        Path gen = dir.resolve("..2026_11_26_14_00_0" + (generation % 10) + "." + generation);
        Files.createDirectories(gen);
        Files.writeString(gen.resolve(key), content);
        return gen;
    }

    private static void delete(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
