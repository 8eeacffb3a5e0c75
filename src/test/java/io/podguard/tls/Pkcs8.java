package io.podguard.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;

/** Private keys for tests: read back as written, or made at run time (the repository holds none). */
public final class Pkcs8 {

    private Pkcs8() {
    }

    /**
     * The key in a PEM file when the file holds exactly one PKCS#8 ("PRIVATE KEY") block, which
     * every TLS stack reads; null for anything else (PKCS#1, a certificate, text).
     */
    public static PrivateKeyInfo read(Path file) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file)))) {
            Object first = parser.readObject();
            return first instanceof PrivateKeyInfo info && parser.readObject() == null ? info : null;
        }
    }

    /** A fresh EC private key as PKCS#8 PEM. */
    public static String generatedPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return CertificateAuthority.pem(generator.generateKeyPair().getPrivate());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
