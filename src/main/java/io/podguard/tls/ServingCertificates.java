package io.podguard.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.EnumSet;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.jspecify.annotations.Nullable;

/** Where the serving certificate comes from: given PEM files, or generated at start-up. */
public final class ServingCertificates {

    /** The serving certificate and key files, and the CA file when podguard made it. */
    public record ServingFiles(Path certFile, Path keyFile, Path caFile) {
    }

    private ServingCertificates() {
    }

    /**
     * {@code dir} as podguard's own directory, for the default location in a directory every
     * user of the machine shares ({@code $TMPDIR/podguard-certs}): created owner-only (0700), or,
     * if it exists, used only when it is a directory (not a link) owned by this user that no one
     * else may enter. Someone else's directory there could hold a CA they also hold the key of.
     *
     * @throws IOException with the reason, when it is not podguard's to use
     */
    public static Path privateDirectory(Path dir) throws IOException {
        if (!posix(dir)) {
            Files.createDirectories(dir);
            return dir;
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException exists) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(dir + " exists and is not a directory (or is a symbolic link): remove it, or give --cert-dir");
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != ownUid()) {
                throw new IOException(dir + " belongs to another user (uid " + owner + "): it could hold a CA they have the key of;"
                        + " remove it, or give --cert-dir");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!Collections.disjoint(perms, OTHERS)) {
                throw new IOException(dir + " is open to other users (" + PosixFilePermissions.toString(perms)
                        + "): they could read or replace its keys; remove it, or chmod 700 it");
            }
        }
        return dir;
    }

    /**
     * Generates a CA (or reuses the one already in {@code dir}) and a fresh serving certificate
     * for {@code localhost}, {@code 127.0.0.1} and {@code extraNames}. Keys are written owner-only
     * from the start; a CA is reused only if its key is a regular file of this user's that no one
     * else may read.
     */
    public static ServingFiles generate(Path dir, List<String> extraNames) throws IOException {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        names.addAll(extraNames);
        CertificateAuthority ca = reuseCa(dir);
        if (ca == null) {
            ca = CertificateAuthority.create("podguard-ca", CertificateAuthority.CA_VALIDITY);
        }
        CertificateAuthority.Issued serving = ca.issueServing(List.copyOf(names), CertificateAuthority.SERVING_VALIDITY);
        CertificateAuthority.writeFiles(dir, ca, serving);
        return new ServingFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"));
    }

    private static CertificateAuthority reuseCa(Path dir) {
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        if (!Files.isReadable(crt) || !Files.isReadable(key) || !ownPrivateFile(key)) {
            return null;
        }
        try {
            X509Certificate cert = readCertificate(crt);
            if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(CertificateAuthority.SERVING_VALIDITY))) {
                return null;
            }
            return CertificateAuthority.of(cert, readKeyPair(key, cert));
        } catch (Exception e) {
            return null;
        }
    }

    /** A regular file (not a link) of this user's that no one else may read or write; true where there are no POSIX permissions. */
    private static boolean ownPrivateFile(Path file) {
        if (!posix(file)) {
            return true;
        }
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS) == ownUid()
                    && Collections.disjoint(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS), OTHERS);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The CA in {@code dir} ({@code ca.crt}, {@code ca.key}) for issuing more certificates, or null
     * when there is none.
     *
     * @throws IllegalArgumentException naming why a CA that is there cannot be used (unreadable, key
     *     not matching, expired or expiring within {@code needed}, not a CA)
     */
    public static @Nullable CertificateAuthority readCa(Path dir, java.time.Duration needed) {
        checkOwnDirectory(dir);
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        if (!Files.exists(crt, LinkOption.NOFOLLOW_LINKS) && !Files.exists(key, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!Files.isReadable(crt) || !Files.isReadable(key)) {
            throw new IllegalArgumentException("the CA in " + dir + " is incomplete: ca.crt and ca.key go together");
        }
        if (!ownPrivateFile(key)) {
            // Someone else's key (planted in a shared folder) or one others can read: certificates
            // it signs would be trusted by whoever trusts ca.crt, and could be minted by them too.
            throw new IllegalArgumentException(key + " is not a file of this user's that only this user may read ("
                    + describePermissions(key) + "): others may hold the CA's key; chmod 600 it, or pass --new-ca");
        }
        X509Certificate cert;
        KeyPair keys;
        try {
            cert = readCertificate(crt);
            keys = readKeyPair(key, cert);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the CA in " + dir + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (cert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(crt + " is not a CA certificate");
        }
        if (!matches(cert, keys)) {
            throw new IllegalArgumentException(key + " is not the key of " + crt);
        }
        if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(needed))) {
            throw new IllegalArgumentException("the CA in " + dir + " expires on " + cert.getNotAfter().toInstant()
                    + ", before a new certificate would");
        }
        return CertificateAuthority.of(cert, keys);
    }

    /**
     * A folder {@code certs} writes keys into, when it exists: this user's, and no one else may
     * change what is in it (someone who can would swap in a CA whose key they hold).
     *
     * @throws IllegalArgumentException one line, naming the owner or the permissions
     */
    public static void checkOwnDirectory(Path dir) {
        if (!posix(dir) || !Files.exists(dir)) {
            return;
        }
        try {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + " is not a directory");
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid");
            if (owner != ownUid()) {
                throw new IllegalArgumentException(dir + " belongs to another user (uid " + owner
                        + "): it could hold a CA they have the key of; use a folder of your own");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            // Group-writable is left alone: most systems give each user a group of their own.
            if (perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException(dir + " is writable by other users (" + PosixFilePermissions.toString(perms)
                        + "): they could replace its keys; chmod o-w it, or use a folder of your own");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + dir + ": " + e.getMessage());
        }
    }

    private static String describePermissions(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return "not a regular file";
            }
            int owner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return (owner == ownUid() ? "" : "owner uid " + owner + ", ")
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return "unreadable attributes";
        }
    }

    /** Whether the private key signs what the certificate's public key verifies, by the key's algorithm. */
    private static boolean matches(X509Certificate cert, KeyPair keys) {
        return KeyTypes.matches(cert.getPublicKey(), keys.getPrivate());
    }

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("unix");
    }

    /** This process's user id. */
    static int ownUid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    public static X509Certificate readCertificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    public static List<X509Certificate> readCertificates(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
        }
    }

    static KeyPair readKeyPair(Path file, X509Certificate cert) throws Exception {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair);
            }
            if (o instanceof PrivateKeyInfo info) {
                return new KeyPair(cert.getPublicKey(), converter.getPrivateKey(info));
            }
            throw new IllegalArgumentException("no private key in " + file);
        }
    }
}
