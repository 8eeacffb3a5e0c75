package io.podguard.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} without certificates writes a CA and a serving certificate to
 * {@code $TMPDIR/podguard-certs}, a directory every user of the machine shares. It once reused
 * whatever CA sat there, another user's included, and wrote keys before restricting them.
 */
class ServingCertificatesTest {

    @TempDir
    Path tmp;

    @Test
    void privateDirectoryWhenAbsentThenCreatedOwnerOnly() throws IOException {
        Path dir = ServingCertificates.privateDirectory(tmp.resolve("podguard-certs"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        ServingCertificates.ServingFiles files = ServingCertificates.generate(dir, List.of());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.keyFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key")))).isEqualTo("rw-------");
    }

    @Test
    void privateDirectoryWhenOpenToOthersOrALinkThenRefused() throws IOException {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("elsewhere")));

        assertThatThrownBy(() -> ServingCertificates.privateDirectory(open)).isInstanceOf(IOException.class)
                .hasMessage(open + " is open to other users (rwxrwxrwx): they could read or replace its keys; remove it, or chmod 700 it");
        assertThatThrownBy(() -> ServingCertificates.privateDirectory(link)).isInstanceOf(IOException.class)
                .hasMessage(link + " exists and is not a directory (or is a symbolic link): remove it, or give --cert-dir");
    }

    @Test
    void privateDirectoryWhenAnotherUsersThenRefused() throws IOException {
        Assumptions.assumeTrue(ServingCertificates.ownUid() == 0, "giving a directory to another user takes root");
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(theirs, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);

        assertThatThrownBy(() -> ServingCertificates.privateDirectory(theirs)).isInstanceOf(IOException.class)
                .hasMessage(theirs + " belongs to another user (uid 65534): it could hold a CA they have the key of; remove it, or give --cert-dir");
    }

    /** Someone who opened the key file in the moment before its permissions were restricted kept reading it. */
    @Test
    void generateWhenSomeoneHoldsAStaleKeyFileOpenThenTheKeyNeverReachesIt() throws IOException {
        Path dir = ServingCertificates.privateDirectory(tmp.resolve("podguard-certs"));
        Path stale = Files.writeString(dir.resolve("tls.key.tmp"), "");
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-r--r--"));
        try (InputStream held = Files.newInputStream(stale)) {
            ServingCertificates.ServingFiles files = ServingCertificates.generate(dir, List.of());

            assertThat(held.readAllBytes()).isEmpty();
            assertThat(Pkcs8.read(files.keyFile())).as("one PKCS#8 private key").isNotNull();
        }
    }

    /** A CA key someone else could read (or a link to one) is not reused: a new CA is made. */
    @Test
    void generateWhenTheCaKeyIsReadableByOthersThenANewCa() throws Exception {
        Path dir = ServingCertificates.privateDirectory(tmp.resolve("podguard-certs"));
        ServingCertificates.generate(dir, List.of());
        String firstCa = Files.readString(dir.resolve("ca.crt"));
        ServingCertificates.generate(dir, List.of());
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(firstCa);

        Files.setPosixFilePermissions(dir.resolve("ca.key"), PosixFilePermissions.fromString("rw-r--r--"));
        ServingCertificates.generate(dir, List.of());

        assertThat(Files.readString(dir.resolve("ca.crt"))).isNotEqualTo(firstCa);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key")))).isEqualTo("rw-------");
    }
}
