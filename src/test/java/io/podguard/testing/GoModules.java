package io.podguard.testing;

import io.podguard.engine.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Upstream Go modules at the versions {@code src/test/cluster/go.mod} pins, taken from the Go
 * module cache with the Go toolchain the end-to-end tier already needs ({@code go mod download},
 * which fetches through the module proxy and checks go.sum when the module is not cached yet).
 * Nothing here looks beside the project: a fresh clone has what it needs once Go is installed.
 */
public final class GoModules {

    /** The e2e tier's go.mod: the one place upstream versions are pinned. */
    public static final Path GO_MOD = Path.of("src", "test", "cluster", "go.mod");

    /** Where Go's installer puts it. */
    static final Path DEFAULT_GO = Path.of("/usr/local/go/bin/go");

    private static final Map<String, Path> DOWNLOADED = new ConcurrentHashMap<>();

    private GoModules() {
    }

    /** The project folder: Maven's {@code basedir} when it sets one, else the working directory. */
    public static Path repository() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().normalize();
    }

    /**
     * The folder of {@code module} in the Go module cache, at the version go.mod pins, downloaded
     * first if needed.
     *
     * @throws IllegalStateException naming the cause (no Go toolchain, module not pinned, download failed)
     */
    public static Path directory(String module) {
        return DOWNLOADED.computeIfAbsent(module, GoModules::download);
    }

    /**
     * Kubernetes' Pod Security Admission fixtures, {@code <level>/v1.<minor>/{pass,fail}/*.yaml}
     * (4,537 files at v0.37): {@code test/testdata} of the module {@code k8s.io/pod-security-admission}.
     */
    public static Path podSecurityFixtures() {
        Path dir = directory("k8s.io/pod-security-admission").resolve("test").resolve("testdata");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the module k8s.io/pod-security-admission has no folder test/testdata: " + dir);
        }
        return dir;
    }

    /** The version go.mod pins for {@code module}: a {@code replace} wins over {@code require}, as for the go command. */
    public static String pinnedVersion(String goMod, String module) {
        String quoted = Pattern.quote(module);
        Matcher replace = Pattern.compile("(?m)^\\s*(?:replace\\s+)?" + quoted + "\\s*=>\\s*" + quoted + "\\s+(v\\S+)\\s*$").matcher(goMod);
        if (replace.find()) {
            return replace.group(1);
        }
        Matcher require = Pattern.compile("(?m)^\\s*(?:require\\s+)?" + quoted + "\\s+(v[^\\s/]+)(\\s*//.*)?$").matcher(goMod);
        if (require.find()) {
            return require.group(1);
        }
        throw new IllegalStateException(GO_MOD + " pins no version of " + module);
    }

    private static Path download(String module) {
        Path repo = repository();
        Path goMod = repo.resolve(GO_MOD);
        String version;
        try {
            version = pinnedVersion(Files.readString(goMod), module);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + goMod, e);
        }
        List<String> command = List.of(go(System.getenv("PATH"), DEFAULT_GO), "mod", "download", "-json", module + "@" + version);
        ProcessBuilder builder = new ProcessBuilder(command).directory(goMod.getParent().toFile());
        // The toolchain on PATH, never another one fetched behind our back (as build.sh).
        builder.environment().put("GOTOOLCHAIN", "local");
        builder.environment().put("GOFLAGS", "-mod=mod");
        Path errors;
        try {
            errors = Files.createTempFile("go-mod-download", ".log");
            builder.redirectError(errors.toFile());
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 10 minutes");
            }
            String stderr = Files.readString(errors);
            Files.deleteIfExists(errors);
            JsonNode result = out.isBlank() ? null : Json.mapper().readTree(out);
            if (process.exitValue() != 0 || result == null || !result.path("Error").asString("").isEmpty()
                    || result.path("Dir").asString("").isEmpty()) {
                String why = result != null && !result.path("Error").asString("").isEmpty() ? result.path("Error").asString() : stderr.strip();
                throw new IllegalStateException("cannot download " + module + "@" + version + " (" + String.join(" ", command)
                        + " in " + goMod.getParent() + " exited " + process.exitValue() + "): " + why);
            }
            Path dir = Path.of(result.path("Dir").asString());
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("go mod download named " + dir + " for " + module + "@" + version + ", which is not a folder");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** {@code go} on {@code path} (a PATH value), else {@code fallback}; a clear failure when neither exists. */
    static String go(String path, Path fallback) {
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "go"));
                }
            }
        }
        candidates.add(fallback);
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("the Go toolchain is needed to fetch upstream test data pinned in " + GO_MOD
                + " (go is not on PATH nor " + fallback + "); install Go from https://go.dev/dl/");
    }
}
