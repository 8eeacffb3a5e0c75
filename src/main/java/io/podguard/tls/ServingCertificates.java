package io.podguard.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * Generates a CA (or reuses the one already in {@code dir}) and a fresh serving certificate
     * for {@code localhost}, {@code 127.0.0.1} and {@code extraNames}.
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
        if (!Files.isReadable(crt) || !Files.isReadable(key)) {
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

    /**
     * The CA in {@code dir} ({@code ca.crt}, {@code ca.key}) for issuing more certificates, or null
     * when there is none.
     *
     * @throws IllegalArgumentException naming why a CA that is there cannot be used (unreadable, key
     *     not matching, expired or expiring within {@code needed}, not a CA)
     */
    public static @Nullable CertificateAuthority readCa(Path dir, java.time.Duration needed) {
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        if (!Files.exists(crt) && !Files.exists(key)) {
            return null;
        }
        if (!Files.isReadable(crt) || !Files.isReadable(key)) {
            throw new IllegalArgumentException("the CA in " + dir + " is incomplete: ca.crt and ca.key go together");
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

    /** Whether the private key signs what the certificate's public key verifies. */
    private static boolean matches(X509Certificate cert, KeyPair keys) {
        try {
            java.security.Signature signer = java.security.Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            byte[] probe = "podguard".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance("SHA256withRSA");
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
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
