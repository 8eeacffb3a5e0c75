package io.podguard.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;

/**
 * The key types podguard serves and signs with, by the key's own algorithm: ECDSA (what podguard
 * generates: P-256, whose TLS handshake costs the server about half the CPU of RSA 2048), RSA
 * (certificates from older podguard versions and from users) and Ed25519. Anything else is
 * refused with one line before it reaches the TLS stack.
 */
public final class KeyTypes {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUPPORTED = "podguard serves ECDSA, RSA and Ed25519 keys";

    private KeyTypes() {
    }

    /** A fresh ECDSA P-256 key pair, as podguard generates for every CA and serving certificate. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an ECDSA P-256 key: " + e.getMessage(), e);
        }
    }

    /**
     * The signature algorithm a certificate signed by {@code key} carries.
     *
     * @throws IllegalArgumentException naming the key type when podguard does not serve it
     */
    public static String signatureAlgorithm(Key key) {
        return switch (key) {
            case RSAKey k -> "SHA256withRSA";
            case ECKey k -> "SHA256withECDSA";
            case EdECKey k when isEd25519(k) -> "Ed25519";
            default -> throw new IllegalArgumentException("a " + describe(key) + " key cannot be used: " + SUPPORTED);
        };
    }

    /**
     * The key as a person names it: "ECDSA P-256", "RSA 2048", "Ed25519", or its JCA algorithm
     * name for anything else.
     */
    public static String describe(Key key) {
        return switch (key) {
            case RSAKey k -> "RSA " + k.getModulus().bitLength();
            case ECKey k -> "ECDSA P-" + k.getParams().getCurve().getField().getFieldSize();
            case EdECKey k -> k.getParams().getName();
            default -> key.getAlgorithm();
        };
    }

    /**
     * Whether {@code privateKey} signs what {@code publicKey} verifies, by the key's own
     * algorithm; false for a key pair of two different types or one podguard does not serve.
     */
    public static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
        try {
            String algorithm = signatureAlgorithm(privateKey);
            if (!algorithm.equals(signatureAlgorithm(publicKey))) {
                return false;
            }
            byte[] probe = "podguard".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Checks a key a user gives for serving, cheaply enough for start-up (no signature: a cold
     * JCA signature costs hundreds of milliseconds): a type podguard serves, the same type as the
     * certificate's key, and for RSA the same modulus. An ECDSA or Ed25519 key of the right type
     * but another pair is not detected here.
     *
     * @throws IllegalArgumentException one line: the key type is not served, or the key is not the
     *     certificate's
     */
    public static void checkServingKey(PublicKey certificateKey, PrivateKey privateKey, String what) {
        try {
            signatureAlgorithm(privateKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
        boolean sameType = switch (privateKey) {
            case RSAKey k -> certificateKey instanceof RSAKey c && c.getModulus().equals(k.getModulus());
            case ECKey k -> certificateKey instanceof ECKey c && c.getParams().getCurve().equals(k.getParams().getCurve());
            case EdECKey k -> certificateKey instanceof EdECKey c && c.getParams().getName().equals(k.getParams().getName());
            default -> false;
        };
        if (!sameType) {
            throw new IllegalArgumentException(what + ": the " + describe(privateKey) + " key is not the key of the certificate ("
                    + describe(certificateKey) + ")");
        }
    }

    private static boolean isEd25519(EdECKey key) {
        return "Ed25519".equalsIgnoreCase(key.getParams().getName());
    }
}
