package io.podguard.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys podguard makes are ECDSA P-256; every key it reads is signed and checked by its own algorithm. */
class KeyTypesTest {

    static KeyPair pair(String algorithm, int size) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (size > 0) {
            generator.initialize(size);
        }
        return generator.generateKeyPair();
    }

    @Test
    void generateThenEcdsaP256() {
        KeyPair keys = KeyTypes.generate();

        assertThat(keys.getPublic()).isInstanceOf(ECPublicKey.class);
        assertThat(KeyTypes.describe(keys.getPrivate())).isEqualTo("ECDSA P-256");
        assertThat(((ECPublicKey) keys.getPublic()).getParams().toString()).startsWith("secp256r1");
        assertThat(KeyTypes.signatureAlgorithm(keys.getPrivate())).isEqualTo("SHA256withECDSA");
    }

    @Test
    void signatureAlgorithmWhenRsaOrEd25519ThenTheirOwn() throws Exception {
        KeyPair rsa = pair("RSA", 2048);
        KeyPair ed = pair("Ed25519", 0);

        assertThat(KeyTypes.signatureAlgorithm(rsa.getPrivate())).isEqualTo("SHA256withRSA");
        assertThat(KeyTypes.describe(rsa.getPublic())).isEqualTo("RSA 2048");
        assertThat(KeyTypes.signatureAlgorithm(ed.getPrivate())).isEqualTo("Ed25519");
        assertThat(KeyTypes.describe(ed.getPrivate())).isEqualTo("Ed25519");
    }

    @Test
    void signatureAlgorithmWhenDsaOrEd448ThenRefusedInOneLine() throws Exception {
        KeyPair dsa = pair("DSA", 2048);
        KeyPair ed448 = pair("Ed448", 0);

        assertThatThrownBy(() -> KeyTypes.signatureAlgorithm(dsa.getPrivate())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a DSA key cannot be used: podguard serves ECDSA, RSA and Ed25519 keys");
        assertThatThrownBy(() -> KeyTypes.signatureAlgorithm(ed448.getPrivate())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a Ed448 key cannot be used: podguard serves ECDSA, RSA and Ed25519 keys");
        assertThat(KeyTypes.matches(dsa.getPublic(), dsa.getPrivate())).isFalse();
    }

    @Test
    void matchesByTheKeysOwnAlgorithm() throws Exception {
        KeyPair ec = KeyTypes.generate();
        KeyPair rsa = pair("RSA", 2048);
        KeyPair ed = pair("Ed25519", 0);

        assertThat(KeyTypes.matches(ec.getPublic(), ec.getPrivate())).isTrue();
        assertThat(KeyTypes.matches(rsa.getPublic(), rsa.getPrivate())).isTrue();
        assertThat(KeyTypes.matches(ed.getPublic(), ed.getPrivate())).isTrue();
        assertThat(KeyTypes.matches(ec.getPublic(), KeyTypes.generate().getPrivate())).isFalse();
        assertThat(KeyTypes.matches(rsa.getPublic(), pair("RSA", 2048).getPrivate())).isFalse();
        assertThat(KeyTypes.matches(rsa.getPublic(), ec.getPrivate())).isFalse();
        assertThat(KeyTypes.matches(ec.getPublic(), ed.getPrivate())).isFalse();
    }

    @Test
    void certificateAuthorityThenEcdsaCaAndServingSignedWithEcdsa() {
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofDays(1));
        CertificateAuthority.Issued serving = ca.issueServing(List.of("localhost"), Duration.ofHours(1));

        assertThat(ca.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(KeyTypes.describe(ca.certificate().getPublicKey())).isEqualTo("ECDSA P-256");
        assertThat(serving.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(KeyTypes.describe(serving.certificate().getPublicKey())).isEqualTo("ECDSA P-256");
        // digitalSignature only: key encipherment is RSA key transport, which an ECDSA key cannot do.
        assertThat(serving.certificate().getKeyUsage()).containsExactly(true, false, false, false, false, false, false, false, false);
    }

    /** An older podguard's RSA CA, read back, keeps signing with RSA; what it issues now carries an ECDSA key. */
    @Test
    void certificateAuthorityWhenRsaCaThenSignsWithRsa() throws Exception {
        CertificateAuthority rsaCa = CertificateAuthority.create("old-ca", Instant.now(), Duration.ofDays(1), pair("RSA", 2048));
        CertificateAuthority reread = CertificateAuthority.of(rsaCa.certificate(), rsaCa.keyPair());

        X509Certificate serving = reread.issueServing(List.of("localhost"), Duration.ofHours(1)).certificate();

        assertThat(rsaCa.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(serving.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(KeyTypes.describe(serving.getPublicKey())).isEqualTo("ECDSA P-256");
        serving.verify(rsaCa.certificate().getPublicKey());
    }

    @Test
    void certificateAuthorityWhenEd25519ThenSignsWithEd25519() throws Exception {
        CertificateAuthority edCa = CertificateAuthority.create("ed-ca", Instant.now(), Duration.ofDays(1), pair("Ed25519", 0));

        X509Certificate serving = edCa.issueServing(List.of("localhost"), Instant.now(), Duration.ofHours(1), pair("Ed25519", 0)).certificate();

        assertThat(serving.getSigAlgName()).isEqualTo("Ed25519");
        serving.verify(edCa.certificate().getPublicKey());
    }

    @Test
    void checkServingKeyByTypeAndRsaModulus() throws Exception {
        KeyPair ec = KeyTypes.generate();
        KeyPair rsa = pair("RSA", 2048);
        KeyPair ed = pair("Ed25519", 0);

        KeyTypes.checkServingKey(ec.getPublic(), ec.getPrivate(), "tls.key");
        KeyTypes.checkServingKey(rsa.getPublic(), rsa.getPrivate(), "tls.key");
        KeyTypes.checkServingKey(ed.getPublic(), ed.getPrivate(), "tls.key");
        assertThatThrownBy(() -> KeyTypes.checkServingKey(rsa.getPublic(), pair("RSA", 2048).getPrivate(), "tls.key"))
                .hasMessage("tls.key: the RSA 2048 key is not the key of the certificate (RSA 2048)");
        assertThatThrownBy(() -> KeyTypes.checkServingKey(ec.getPublic(), ed.getPrivate(), "tls.key"))
                .hasMessage("tls.key: the Ed25519 key is not the key of the certificate (ECDSA P-256)");
        assertThatThrownBy(() -> KeyTypes.checkServingKey(pair("EC", 384).getPublic(), ec.getPrivate(), "tls.key"))
                .hasMessage("tls.key: the ECDSA P-256 key is not the key of the certificate (ECDSA P-384)");
        assertThatThrownBy(() -> KeyTypes.checkServingKey(rsa.getPublic(), pair("DSA", 2048).getPrivate(), "tls.key"))
                .hasMessage("tls.key: a DSA key cannot be used: podguard serves ECDSA, RSA and Ed25519 keys");
    }
}
