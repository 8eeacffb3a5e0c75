package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cert-manager or Secret rotation rewrites the PEM files; the server must serve the new certificate, twice in a row. */
class CertificateRotationTest extends WebhookServerTestSupport {

    @Test
    void rotateTwiceThenEachNewCertificateIsServed() throws Exception {
        X509Certificate before = served();

        X509Certificate first = CERTS.issue();
        awaitServed(first);
        X509Certificate second = CERTS.issue();
        awaitServed(second);

        assertThat(first.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(served().getSerialNumber()).isEqualTo(second.getSerialNumber());
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);
    }

    @Test
    void garbageCertificateFilesThenLastGoodKeptAndFailureCounted() throws Exception {
        X509Certificate good = CERTS.issue();
        awaitServed(good);
        double failuresBefore = reloadFailures();

        java.nio.file.Files.writeString(CERTS.certFile(), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
        java.nio.file.Files.writeString(CERTS.keyFile(), "not a key");
        awaitReloadFailureAfter(failuresBefore);

        assertThat(reloadFailures()).isEqualTo(failuresBefore + 1);
        assertThat(served().getSerialNumber()).isEqualTo(good.getSerialNumber());
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);
        assertThat(getManagement("/readyz").statusCode()).isEqualTo(200);
        java.util.regex.Matcher expiry = java.util.regex.Pattern.compile("podguard_tls_certificate_expiry_timestamp_seconds\\{[^}]*} ([0-9.E]+)")
                .matcher(getManagement("/metrics").body());
        assertThat(expiry.find()).isTrue();
        assertThat((long) Double.parseDouble(expiry.group(1))).isEqualTo(good.getNotAfter().toInstant().getEpochSecond());

        X509Certificate repaired = CERTS.issue();
        awaitServed(repaired);
    }

    @Test
    void keyOfAnotherPairThenRefusedLastGoodStillServedAndFailureCounted() throws Exception {
        X509Certificate good = CERTS.issue();
        awaitServed(good);
        double failuresBefore = reloadFailures();

        // A key that parses but is not the certificate's: Spring would take it and every handshake would fail.
        java.nio.file.Path tmp = CERTS.keyFile().resolveSibling("tls.key.new");
        java.nio.file.Files.writeString(tmp, io.podguard.tls.CertificateAuthority.pem(io.podguard.tls.KeyTypes.generate().getPrivate()));
        java.nio.file.Files.move(tmp, CERTS.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        awaitReloadFailureAfter(failuresBefore);

        assertThat(reloadFailures()).isEqualTo(failuresBefore + 1);
        assertThat(served().getSerialNumber()).isEqualTo(good.getSerialNumber());
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);

        X509Certificate repaired = CERTS.issue();
        awaitServed(repaired);
    }

    @Test
    void keyOfATypePodguardDoesNotServeThenRefusedAndLastGoodStillServed() throws Exception {
        X509Certificate good = CERTS.issue();
        awaitServed(good);
        double failuresBefore = reloadFailures();

        // A DSA certificate and its own key: a consistent pair no TLS 1.2/1.3 client would accept.
        java.security.KeyPairGenerator dsa = java.security.KeyPairGenerator.getInstance("DSA");
        dsa.initialize(2048);
        CERTS.issue(dsa.generateKeyPair());
        awaitReloadFailureAfter(failuresBefore);
        Thread.sleep(1_000); // the key and the certificate are written one after the other: let both reloads pass

        assertThat(reloadFailures()).isGreaterThan(failuresBefore);
        assertThat(served().getSerialNumber()).isEqualTo(good.getSerialNumber());
        assertThat(post("/validate", io.podguard.testing.Reviews.create(io.podguard.testing.Pods.RESTRICTED)).statusCode()).isEqualTo(200);

        X509Certificate repaired = CERTS.issue();
        awaitServed(repaired);
    }

    /** Waits (at most 20 s) until a reload failure is counted beyond {@code failuresBefore}. */
    private double awaitReloadFailureAfter(double failuresBefore) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (reloadFailures() <= failuresBefore && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        return reloadFailures();
    }

    private double reloadFailures() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("podguard_tls_reloads_total\\{[^}]*result=\"failure\"[^}]*} ([0-9.E]+)")
                .matcher(getManagement("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

}
