package io.podguard.tls.managed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The PEM files the HTTPS server serves from (Spring's SSL bundle reloads them when they
 * change). Each file is replaced atomically, and only when its content differs, so an
 * unchanged certificate never triggers a reload.
 */
public final class ServingFiles {

    private final Path certFile;
    private final Path keyFile;

    public ServingFiles(Path certFile, Path keyFile) {
        this.certFile = certFile;
        this.keyFile = keyFile;
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Writes {@code set}'s serving certificate and key; true when a file changed. */
    public boolean write(CertificateSet set) throws IOException {
        // The key first: a reload that sees the new certificate must find its key.
        boolean key = replace(keyFile, set.servingKeyPem(), true);
        boolean cert = replace(certFile, set.servingCertificatePem(), false);
        return key || cert;
    }

    private static boolean replace(Path file, String content, boolean secret) throws IOException {
        if (Files.isRegularFile(file) && Files.readString(file).equals(content)) {
            return false;
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
            }
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }
}
