package io.podguard.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A folder laid out as the kubelet mounts a ConfigMap: {@code KEY -> ..data/KEY}, {@code ..data ->
 * ..<version>/}; an update writes a new version folder and swaps {@code ..data} with one rename.
 */
final class ConfigMapVolume {

    private static final AtomicInteger VERSIONS = new AtomicInteger();

    private ConfigMapVolume() {
    }

    /** Creates the volume with one key; returns the path podguard is given ({@code dir/KEY}). */
    static Path create(Path dir, String key, String content) {
        try {
            Files.createDirectories(dir);
            update(dir, key, content);
            Path file = dir.resolve(key);
            Files.createSymbolicLink(file, Path.of("..data", key));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void update(Path dir, String key, String content) {
        try {
            String version = "..v" + VERSIONS.incrementAndGet();
            Path versionDir = Files.createDirectories(dir.resolve(version));
            Files.writeString(versionDir.resolve(key), content);
            Path tmp = dir.resolve("..data_tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of(version));
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
