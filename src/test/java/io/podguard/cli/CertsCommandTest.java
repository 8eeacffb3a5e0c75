package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.tls.ServingCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {

    @Test
    void certsWhenNamesGivenThenCaSignedServingCertificateWithThoseSans(@TempDir Path dir) throws Exception {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "--out", dir.toString(),
                "podguard.podguard-system.svc", "podguard.podguard-system.svc.cluster.local", "10.0.0.7");

        assertThat(run.code()).isZero();
        X509Certificate ca = ServingCertificates.readCertificate(dir.resolve("ca.crt"));
        X509Certificate serving = ServingCertificates.readCertificate(dir.resolve("tls.crt"));
        serving.verify(ca.getPublicKey());
        assertThat(serving.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .containsExactly((Object) "podguard.podguard-system.svc", "podguard.podguard-system.svc.cluster.local", "10.0.0.7");
        assertThat(serving.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key")))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("tls.key"))).startsWith("-----BEGIN " + "PRIVATE KEY-----"); // PKCS#8
    }

    @Test
    void certsWhenNoNamesThenLocalhost(@TempDir Path dir) throws Exception {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", dir.toString());

        assertThat(run.code()).isZero();
        X509Certificate serving = ServingCertificates.readCertificate(dir.resolve("tls.crt"));
        assertThat(serving.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1)).containsExactly((Object) "localhost", "127.0.0.1");
        assertThat(List.of(dir.toFile().list())).contains("ca.crt", "ca.key", "tls.crt", "tls.key");
    }
}
