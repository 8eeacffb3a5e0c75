package io.podguard.policy;

import io.podguard.engine.Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The files one load of a policy reads: the policy file, then the files its
 * {@code podSecurityPolicies} name. Start-up, every reload and {@code config validate} read
 * through this one class, with the same limits:
 *
 * <ul>
 *   <li>a reference resolves inside the policy file's directory: relative, no {@code ..} out of
 *       it, and its real path (symbolic links followed, as a ConfigMap volume's {@code ..data}
 *       link is) still inside the directory's real path;</li>
 *   <li>regular files only ({@code /dev/zero}, a FIFO or a directory is refused before a byte is read);</li>
 *   <li>at most {@value #MAX_FILE_BYTES} bytes per file, {@value #MAX_TOTAL_BYTES} in all, and
 *       {@value #MAX_REFERENCES} references, counted as they are read, never trusting a size the
 *       file system reports;</li>
 *   <li>errors name the file and the problem, never its content.</li>
 * </ul>
 *
 * It also keeps a digest of everything it read (names and bytes) and the references it followed
 * ({@link #snapshot()}), so the file watcher can tell whether a reload would read anything new,
 * referenced files included, by reading the same files again without parsing or compiling them.
 */
public final class PolicyFiles {

    /** Big enough for any sane policy; bounds what a broken ConfigMap can make podguard read. */
    public static final int MAX_FILE_BYTES = 1024 * 1024;
    public static final int MAX_TOTAL_BYTES = 4 * MAX_FILE_BYTES;
    public static final int MAX_REFERENCES = 64;

    private final Path file;
    private final Path dir;
    private final MessageDigest digest;
    private long total;
    /** The names of the references asked for, in order (read, missing or refused); their number is counted against the limit. */
    private final List<String> referenced = new ArrayList<>();

    /** @param policyFile the policy file; references resolve in its directory */
    public PolicyFiles(Path policyFile) {
        this.file = policyFile.toAbsolutePath().normalize();
        this.dir = file.getParent();
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The policy file's bytes.
     *
     * @throws IOException when it cannot be read (missing, not readable)
     * @throws PolicyException when it is not a regular file or is too large
     */
    public byte[] readPolicy() throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new PolicyException("policy file " + file + " is not a regular file");
        }
        byte[] bytes = read(file);
        record(file.toString(), bytes);
        if (bytes.length > MAX_FILE_BYTES) {
            throw new PolicyException("policy file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return bytes;
    }

    /**
     * The text of the file {@code name} a policy references.
     *
     * @param where the field that names it, for errors ({@code podSecurityPolicies[2]})
     * @throws IllegalArgumentException {@code where: "name": problem}, without a byte of the file
     */
    public String reference(String name, String where) {
        String quoted = where + ": file \"" + Text.cut(name, 200) + "\"";
        referenced.add(name);
        if (referenced.size() > MAX_REFERENCES) {
            throw new IllegalArgumentException(quoted + ": a policy references at most " + MAX_REFERENCES + " files");
        }
        Path target;
        try {
            Path relative = Path.of(name);
            if (name.isBlank() || relative.isAbsolute() || relative.getRoot() != null) {
                throw new IllegalArgumentException(quoted + " must be a path relative to the policy file's directory " + dir);
            }
            target = dir.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(quoted + " is not a file name");
        }
        if (!target.startsWith(dir) || target.equals(dir)) {
            throw new IllegalArgumentException(quoted + " is outside the policy file's directory " + dir);
        }
        try {
            if (!Files.exists(target)) {
                record(name, null);
                throw new IllegalArgumentException(quoted + " does not exist in " + dir);
            }
            Path real = target.toRealPath();
            if (!real.startsWith(dir.toRealPath())) {
                throw new IllegalArgumentException(quoted + " leads outside the policy file's directory " + dir + " (a symbolic link)");
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(quoted + " is not a regular file");
            }
            byte[] bytes = read(real);
            record(name, bytes);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(quoted + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            if (total > MAX_TOTAL_BYTES) {
                throw new IllegalArgumentException(quoted + ": the policy and its files exceed " + MAX_TOTAL_BYTES + " bytes in all");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(quoted + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** SHA-256 over the names and bytes read so far (a missing reference counts as read, as missing). */
    public byte[] digest() {
        try {
            return ((MessageDigest) digest.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What was read so far: the references followed and the digest. */
    public Snapshot snapshot() {
        return new Snapshot(List.copyOf(referenced), digest());
    }

    /**
     * What one load of a policy read: the references it followed, in order, and the digest of the
     * names and bytes of everything it read ({@link #digest()}).
     */
    public record Snapshot(List<String> references, byte[] digest) {

        public Snapshot {
            references = List.copyOf(references);
            digest = digest.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }

        /**
         * Whether a load of {@code policyFile} would read exactly what this one did: the policy file
         * and the same references read again, as a load reads them (with its limits and checks),
         * and their digest compared. Reads only; nothing is parsed or compiled. A policy file that
         * cannot be read answers false: a load then says why. The references are those of the
         * policy file as it was, so the same bytes in it lead to the same references.
         */
        public boolean unchanged(Path policyFile) {
            PolicyFiles again = new PolicyFiles(policyFile);
            try {
                again.readPolicy();
            } catch (IOException e) {
                return false;
            } catch (PolicyException e) {
                // recorded before it was refused, as the load that refused it recorded it
            }
            for (int i = 0; i < references.size(); i++) {
                try {
                    again.reference(references.get(i), "podSecurityPolicies[" + i + "]");
                } catch (IllegalArgumentException e) {
                    // a missing or refused reference is recorded (or not) as the load recorded it
                }
            }
            return MessageDigest.isEqual(again.digest(), digest);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && references.equals(s.references) && MessageDigest.isEqual(digest, s.digest);
        }

        @Override
        public int hashCode() {
            return references.hashCode() * 31 + java.util.Arrays.hashCode(digest);
        }

        @Override
        public String toString() {
            return "Snapshot" + references;
        }
    }

    /** At most {@link #MAX_FILE_BYTES} + 1 bytes, read as they come: more than the limit means too large. */
    private static byte[] read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(MAX_FILE_BYTES + 1);
        }
    }

    private void record(String name, byte[] bytes) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        digest.update(n);
        digest.update((byte) 0);
        if (bytes == null) {
            digest.update((byte) 1);
        } else {
            digest.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) 0);
            digest.update(bytes);
            total += bytes.length;
        }
    }
}
