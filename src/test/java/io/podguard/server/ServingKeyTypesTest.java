package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.tls.KeyTypes;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The server serves the ECDSA P-256 certificate podguard generates, and still serves RSA
 * certificates (older podguard Secrets, users' own) and Ed25519 ones: a real handshake over TLS
 * 1.3 and TLS 1.2 with each, and a review through it.
 */
class ServingKeyTypesTest extends WebhookServerTestSupport {

    @AfterAll
    static void backToEcdsa() {
        CERTS.issue();
    }

    @Test
    void ecdsaP256ThenHandshakeOverTls13AndTls12() throws Exception {
        X509Certificate issued = CERTS.issue();
        awaitServed(issued);

        assertThat(KeyTypes.describe(issued.getPublicKey())).isEqualTo("ECDSA P-256");
        assertThat(handshake("TLSv1.3")).isEqualTo("TLSv1.3 TLS_AES_256_GCM_SHA384 ECDSA P-256");
        assertThat(handshake("TLSv1.2")).isEqualTo("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDSA P-256");
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);
    }

    @Test
    void rsaThenStillServedOverTls13AndTls12() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        X509Certificate issued = CERTS.issue(generator.generateKeyPair());
        awaitServed(issued);

        assertThat(handshake("TLSv1.3")).isEqualTo("TLSv1.3 TLS_AES_256_GCM_SHA384 RSA 2048");
        assertThat(handshake("TLSv1.2")).isEqualTo("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 RSA 2048");
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);
    }

    @Test
    void ed25519ThenServedOverTls13() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        X509Certificate issued = CERTS.issue(keys);
        awaitServed(issued);

        assertThat(handshake("TLSv1.3")).isEqualTo("TLSv1.3 TLS_AES_256_GCM_SHA384 Ed25519");
        assertThat(handshake("TLSv1.2")).isEqualTo("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 Ed25519");
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);
    }

    /** "protocol cipher-suite key" of a fresh handshake limited to {@code protocol}. */
    private String handshake(String protocol) throws Exception {
        try (SSLSocket socket = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("localhost", port)) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.startHandshake();
            X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite() + " " + KeyTypes.describe(peer.getPublicKey());
        }
    }

}
