package io.podguard.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority on BouncyCastle: a self-signed CA and serving certificates
 * signed by it, written as PEM files. Keys it makes are ECDSA P-256 ({@link KeyTypes}); a CA
 * read back from files or a Secret signs with whatever key it has (an older podguard's RSA CA
 * keeps working).
 */
public final class CertificateAuthority {

    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration SERVING_VALIDITY = Duration.ofDays(365);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /** A serving certificate with its key and the chain's CA. */
    public record Issued(X509Certificate certificate, KeyPair keyPair, X509Certificate ca) {

        public String certificatePem() {
            return pem(certificate);
        }

        public String keyPem() {
            return pem(keyPair.getPrivate());
        }

        public String caPem() {
            return pem(ca);
        }
    }

    public static CertificateAuthority create(String commonName, Duration validity) {
        return create(commonName, Instant.now(), validity);
    }

    /** A CA valid from {@code now} (back-dated five minutes for clock skew) for {@code validity}. */
    public static CertificateAuthority create(String commonName, Instant now, Duration validity) {
        return create(commonName, now, validity, newKeyPair());
    }

    /** As {@link #create(String, Instant, Duration)}, for a key pair of any type podguard serves. */
    public static CertificateAuthority create(String commonName, Instant now, Duration validity, KeyPair keys) {
        try {
            X500Name name = new X500Name("CN=" + commonName);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, serial(), Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(keys, sign(builder, keys));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create a certificate authority: " + e.getMessage(), e);
        }
    }

    /** Re-creates a CA from its certificate and key (as kept in a Secret). */
    public static CertificateAuthority of(X509Certificate certificate, KeyPair keyPair) {
        return new CertificateAuthority(keyPair, certificate);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    /** Issues a serving certificate for {@code dnsNames} (IP literals become IP SANs). */
    public Issued issueServing(List<String> dnsNames, Duration validity) {
        return issue(dnsNames, Instant.now(), validity, KeyPurposeId.id_kp_serverAuth, newKeyPair());
    }

    /** Issues a serving certificate valid from {@code now} (back-dated five minutes) for {@code validity}. */
    public Issued issueServing(List<String> dnsNames, Instant now, Duration validity) {
        return issue(dnsNames, now, validity, KeyPurposeId.id_kp_serverAuth, newKeyPair());
    }

    /** As {@link #issueServing(List, Instant, Duration)}, for a key pair of any type podguard serves. */
    public Issued issueServing(List<String> dnsNames, Instant now, Duration validity, KeyPair keys) {
        return issue(dnsNames, now, validity, KeyPurposeId.id_kp_serverAuth, keys);
    }

    /** Issues a client certificate for {@code commonName}, as kube-apiserver presents to a webhook under mutual TLS. */
    public Issued issueClient(String commonName, Duration validity) {
        return issue(List.of(commonName), Instant.now(), validity, KeyPurposeId.id_kp_clientAuth, newKeyPair());
    }

    private Issued issue(List<String> dnsNames, Instant now, Duration validity, KeyPurposeId purpose, KeyPair keys) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one name");
        }
        try {
            List<GeneralName> names = new ArrayList<>();
            for (String n : dnsNames) {
                names.add(isIpLiteral(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)),
                    new X500Name("CN=" + dnsNames.getFirst()), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    // ECDSA keys only sign; key encipherment is an RSA key-transport usage.
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return new Issued(sign(builder, keyPair), keys, certificate);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a serving certificate: " + e.getMessage(), e);
        }
    }

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /**
     * Writes {@code ca.crt}, {@code ca.key}, {@code tls.crt} and {@code tls.key} into {@code dir};
     * keys are readable by the owner only.
     */
    public static void writeFiles(Path dir, CertificateAuthority ca, Issued serving) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, posix(dir.toAbsolutePath().getRoot())
                        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                        : new FileAttribute<?>[0]);
            }
            write(dir.resolve("ca.crt"), pem(ca.certificate()), false);
            write(dir.resolve("ca.key"), pem(ca.keyPair().getPrivate()), true);
            // The serving chain carries the CA too, so clients that trust only the CA can verify it.
            write(dir.resolve("tls.crt"), serving.certificatePem(), false);
            write(dir.resolve("tls.key"), serving.keyPem(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code NAME.crt} and {@code NAME.key} into {@code dir} as {@link #writeFiles} writes
     * its files: the key owner-only from its first byte, never through a link left in its place.
     */
    public static void writeIssued(Path dir, String name, Issued issued) {
        try {
            write(dir.resolve(name + ".crt"), issued.certificatePem(), false);
            write(dir.resolve(name + ".key"), issued.keyPem(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code content} to a fresh temporary file, then renames it over {@code file}. A key
     * is created owner-only (0600) from the first byte: never written into a file someone else
     * might already hold open, never through a symbolic link left in its place.
     */
    private static void write(Path file, String content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp); // a stale one, or a link: removed, never written through
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileAttribute<?>[] attributes = secret && posix(file) ? new FileAttribute<?>[] {OWNER_ONLY_FILE} : new FileAttribute<?>[0];
        try (SeekableByteChannel out = Files.newByteChannel(tmp, options, attributes)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean posix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            // Private keys as PKCS#8 ("PRIVATE KEY"), which every TLS stack reads.
            writer.writeObject(object instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static KeyPair newKeyPair() {
        return KeyTypes.generate();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(KeyTypes.signatureAlgorithm(signer.getPrivate()))
                    .build(signer.getPrivate());
            X509CertificateHolder holder = builder.build(contentSigner);
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static boolean isIpLiteral(String name) {
        if (name.matches("[0-9.]+") || name.contains(":")) {
            try {
                InetAddress.ofLiteral(name);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }
}
