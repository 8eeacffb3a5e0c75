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
        assertThat(io.podguard.tls.Pkcs8.read(dir.resolve("tls.key"))).as("one PKCS#8 private key").isNotNull();
    }

    @Test
    void certsWhenNoNamesThenLocalhost(@TempDir Path dir) throws Exception {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", dir.toString());

        assertThat(run.code()).isZero();
        X509Certificate serving = ServingCertificates.readCertificate(dir.resolve("tls.crt"));
        assertThat(serving.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1)).containsExactly((Object) "localhost", "127.0.0.1");
        assertThat(List.of(dir.toFile().list())).contains("ca.crt", "ca.key", "tls.crt", "tls.key");
    }

    @Test
    void certsWhenRunAgainThenTheCaIsReusedAndEarlierCertificatesStillVerify(@TempDir Path dir) throws Exception {
        assertThat(ReviewCommandTest.run("", "certs", "-o", dir.toString(), "web.example.com").code()).isZero();
        String firstCa = Files.readString(dir.resolve("ca.crt"));
        X509Certificate first = ServingCertificates.readCertificate(dir.resolve("tls.crt"));

        ReviewCommandTest.Run again = ReviewCommandTest.run("", "certs", "-o", dir.toString(), "web.example.com", "10.0.0.8");

        assertThat(again.code()).isZero();
        assertThat(again.out()).isEqualTo("wrote " + dir.resolve("tls.crt") + " and " + dir.resolve("tls.key")
                + " for web.example.com, 10.0.0.8, valid 365 days, signed by the CA already in " + dir.resolve("ca.crt") + "\n");
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(firstCa);
        first.verify(ServingCertificates.readCertificate(dir.resolve("ca.crt")).getPublicKey());
    }

    @Test
    void certsWhenNewCaAskedThenReplaced(@TempDir Path dir) throws Exception {
        ReviewCommandTest.run("", "certs", "-o", dir.toString());
        String firstCa = Files.readString(dir.resolve("ca.crt"));

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", dir.toString(), "--new-ca");

        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("signed by a new CA in ");
        assertThat(Files.readString(dir.resolve("ca.crt"))).isNotEqualTo(firstCa);
    }

    @Test
    void certsWhenANameIsNoDnsNameNorIpThenRefusedAndNothingWritten(@TempDir Path dir) {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", dir.toString(), "localhost", "not a name!");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: \"not a name!\" is neither a DNS name nor an IP address\n");
        assertThat(dir.toFile().list()).isEmpty();
        assertThat(ReviewCommandTest.run("", "certs", "-o", dir.toString(), "a..b").err())
                .isEqualTo("podguard: \"a..b\" is neither a DNS name nor an IP address\n");
        assertThat(ReviewCommandTest.run("", "certs", "-o", dir.toString(), "*.podguard.svc", "::1").code()).isZero();
    }

    @Test
    void certsWhenTheCaKeyIsNotTheCertificatesThenRefusedRatherThanReplaced(@TempDir Path dir) throws Exception {
        ReviewCommandTest.run("", "certs", "-o", dir.resolve("a").toString());
        ReviewCommandTest.run("", "certs", "-o", dir.resolve("b").toString());
        Files.copy(dir.resolve("b/ca.key"), dir.resolve("a/ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", dir.resolve("a").toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: " + dir.resolve("a/ca.key") + " is not the key of " + dir.resolve("a/ca.crt") + "\n");
    }

    @Test
    void certsClientWhenACaIsThereThenAClientCertificateItSigned(@TempDir Path dir) throws Exception {
        ReviewCommandTest.run("", "certs", "-o", dir.toString());

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "client", "-o", dir.toString(), "kube-apiserver");

        assertThat(run.code()).isZero();
        X509Certificate client = ServingCertificates.readCertificate(dir.resolve("kube-apiserver.crt"));
        client.verify(ServingCertificates.readCertificate(dir.resolve("ca.crt")).getPublicKey());
        assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=kube-apiserver");
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("kube-apiserver.key")))).isEqualTo("rw-------");
    }

    @Test
    void certsClientWhenNoCaThenSaysHowToMakeOne(@TempDir Path dir) {
        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "client", "-o", dir.toString(), "kube-apiserver");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: no CA in " + dir + " (ca.crt, ca.key): make one first with podguard certs --out " + dir + "\n");
    }

    @Test
    void certsWhenTheFolderIsWritableByOthersThenRefusedAndNothingWritten(@TempDir Path dir) throws Exception {
        Path open = dir.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", open.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("podguard: " + open + " is writable by other users (rwxrwxrwx): they could replace its keys;"
                + " chmod o-w it, or use a folder of your own\n");
        assertThat(open.toFile().list()).isEmpty();
    }

    @Test
    void certsWhenTheCaKeyIsReadableByOthersThenRefusedRatherThanReused(@TempDir Path dir) throws Exception {
        ReviewCommandTest.run("", "certs", "-o", dir.toString());
        Files.setPosixFilePermissions(dir.resolve("ca.key"), PosixFilePermissions.fromString("rw-r--r--"));
        String tlsBefore = Files.readString(dir.resolve("tls.crt"));

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "-o", dir.toString());
        ReviewCommandTest.Run client = ReviewCommandTest.run("", "certs", "client", "-o", dir.toString(), "kube-apiserver");

        String expected = "podguard: " + dir.resolve("ca.key") + " is not a file of this user's that only this user may read (rw-r--r--):"
                + " others may hold the CA's key; chmod 600 it, or pass --new-ca\n";
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(expected);
        assertThat(client.code()).isEqualTo(2);
        assertThat(client.err()).isEqualTo(expected);
        assertThat(Files.readString(dir.resolve("tls.crt"))).isEqualTo(tlsBefore);
        assertThat(Files.exists(dir.resolve("kube-apiserver.key"))).isFalse();
    }

    @Test
    void certsClientWhenALinkWaitsWhereTheKeyGoesThenTheKeyIsNotWrittenThroughIt(@TempDir Path dir) throws Exception {
        ReviewCommandTest.run("", "certs", "-o", dir.resolve("ca").toString());
        Path elsewhere = dir.resolve("elsewhere.key");
        Files.writeString(elsewhere, "");
        Files.createSymbolicLink(dir.resolve("ca/kube-apiserver.key"), elsewhere);

        ReviewCommandTest.Run run = ReviewCommandTest.run("", "certs", "client", "-o", dir.resolve("ca").toString(), "kube-apiserver");

        assertThat(run.code()).isZero();
        assertThat(Files.readString(elsewhere)).isEmpty();
        assertThat(Files.isSymbolicLink(dir.resolve("ca/kube-apiserver.key"))).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca/kube-apiserver.key")))).isEqualTo("rw-------");
    }
}
