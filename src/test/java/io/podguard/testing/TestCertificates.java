package io.podguard.testing;

import io.podguard.tls.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A CA and serving certificates for tests, and a client SSL context that trusts only that CA. */
public final class TestCertificates {

    private final CertificateAuthority ca = CertificateAuthority.create("podguard-test-ca", Duration.ofDays(2));
    private final Path dir;

    public TestCertificates(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    /** Issues a new serving certificate for localhost and writes ca.crt, tls.crt and tls.key; returns it. */
    public X509Certificate issue() {
        CertificateAuthority.Issued issued = ca.issueServing(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        CertificateAuthority.writeFiles(dir, ca, issued);
        return issued.certificate();
    }

    /** As {@link #issue()}, for a serving key of any type (RSA, Ed25519) the test makes. */
    public X509Certificate issue(java.security.KeyPair keys) {
        CertificateAuthority.Issued issued = ca.issueServing(List.of("localhost", "127.0.0.1"), java.time.Instant.now(), Duration.ofDays(1), keys);
        CertificateAuthority.writeFiles(dir, ca, issued);
        return issued.certificate();
    }

    public Path certFile() {
        return dir.resolve("tls.crt");
    }

    public Path keyFile() {
        return dir.resolve("tls.key");
    }

    /** An SSL context that trusts this CA only, as the apiserver trusts a webhook's caBundle. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            X509Certificate caCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(CertificateAuthority.pem(ca.certificate()).getBytes(StandardCharsets.US_ASCII)));
            trust.setCertificateEntry("ca", caCert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
